/* pcap_floor.c: the "floor" for chattcp benchmarks.
 *
 * Reads a pcap/pcapng capture with libpcap and does nothing but count the
 * packets and bytes, so its time is what it costs just to read the file
 * through libpcap. A tool that parses and analyses the same capture cannot be
 * expected to be faster than this.
 *
 *   cc -O2 -o pcap_floor pcap_floor.c -lpcap
 *   pcap_floor FILE      -> "packets N captured_bytes N wire_bytes N"
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.pcap|FILE.pcapng\n", argv[0]);
        return 2;
    }

    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (p == NULL) {
        fprintf(stderr, "pcap_floor: %s: %s\n", argv[1], err);
        return 1;
    }

    uint64_t packets = 0, caplen_sum = 0, wirelen_sum = 0;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        packets++;
        caplen_sum += hdr->caplen;
        wirelen_sum += hdr->len;
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_floor: %s: %s (after %llu packets)\n", argv[1],
                pcap_geterr(p), (unsigned long long)packets);
        pcap_close(p);
        return 1;
    }
    pcap_close(p);

    printf("packets %llu captured_bytes %llu wire_bytes %llu\n",
           (unsigned long long)packets, (unsigned long long)caplen_sum,
           (unsigned long long)wirelen_sum);
    return 0;
}
