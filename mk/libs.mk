# mk/libs.mk: the libraries chattcp links, in one place for every Makefile and test
# script (tests ask `make -s print-libs`). Why each: docs/deps.md.
PKGS := zlib libbrotlidec libzstd libssl libcrypto libmicrohttpd libpcap jansson libzip libnghttp2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lz -lbrotlidec -lzstd -lssl -lcrypto -lmicrohttpd -lpcap -ljansson -lzip -lnghttp2)
# Plugins (--plugin, docs/plugins.md) run in JavaScriptCore; without its development
# package the build still works and --plugin says it was built without them. CI
# installs it (deps/debian.txt), so CI builds and tests plugins.
JSC_PKG := javascriptcoregtk-4.1
ifeq ($(shell pkg-config --exists $(JSC_PKG) && echo yes),yes)
PKG_CFLAGS += $(shell pkg-config --cflags $(JSC_PKG)) -DCHATTCP_PLUGINS=1
PKG_LIBS += $(shell pkg-config --libs $(JSC_PKG))
endif
