# mk/libs.mk: the libraries chattcp links, in one place for every Makefile and test
# script (tests ask `make -s print-libs`). Why each: docs/deps.md.
PKGS := zlib libbrotlidec libzstd libcrypto libmicrohttpd libpcap jansson libnghttp2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lz -lbrotlidec -lzstd -lcrypto -lmicrohttpd -lpcap -ljansson -lnghttp2)
