# ipvsadm-rs: build, install and uninstall.
#
#   make                       build the release binary (static; STATIC=0: dynamic)
#   make install               install under PREFIX (default /usr/local)
#   make install DESTDIR=/tmp/stage PREFIX=/usr
#   make install BIN=target/debug/ipvsadm   install a binary built elsewhere
#   make uninstall             remove what install put in place
#   make check                 cargo test
#   make lint-man              groff warnings for the man page (none expected)
#
# Where things go (PREFIX=/usr/local shown):
#   /usr/local/sbin/ipvsadm, ipvsadm-save, ipvsadm-restore
#   /usr/local/share/man/man8/ipvsadm.8, ipvsadm-save.8, ipvsadm-restore.8
#   /usr/local/share/bash-completion/completions/ipvsadm
#   /usr/local/share/zsh/site-functions/_ipvsadm   (in zsh's default fpath;
#        with PREFIX=/usr: /usr/share/zsh/vendor-completions/_ipvsadm)
#   /usr/local/share/fish/vendor_completions.d/ipvsadm.fish
#   /usr/local/lib/systemd/system/ipvsadm.service

PREFIX ?= /usr/local
DESTDIR ?=
CARGO ?= cargo
INSTALL ?= install

SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ifeq ($(PREFIX),/usr)
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
else
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
endif
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
UNITDIR ?= $(PREFIX)/lib/systemd/system

# The binary to install. The default is built by cargo; give a path to
# install a binary that already exists (no cargo run then).
RELEASE_BIN := $(or $(CARGO_TARGET_DIR),target)/release/ipvsadm
BIN ?= $(RELEASE_BIN)

.PHONY: all build install uninstall check lint-man

all: build

# Linked statically by default: no dynamic loader at start-up, which is most of
# the cost of a single `ipvsadm -A` (about half of it in the guest lab). The C
# library is then the one of the build: rebuild after a glibc security update,
# or build with STATIC=0 for a binary that follows the system's libc.
STATIC ?= 1

build:
ifeq ($(STATIC),1)
	$(CARGO) rustc --release --bin ipvsadm -- -C target-feature=+crt-static
else
	$(CARGO) build --release --bin ipvsadm
endif

$(RELEASE_BIN): build

install: $(BIN)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/ipvsadm
	$(INSTALL) -m 0755 packaging/ipvsadm-save $(DESTDIR)$(SBINDIR)/ipvsadm-save
	$(INSTALL) -m 0755 packaging/ipvsadm-restore $(DESTDIR)$(SBINDIR)/ipvsadm-restore
	$(INSTALL) -m 0644 man/ipvsadm.8 man/ipvsadm-save.8 man/ipvsadm-restore.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 completions/ipvsadm.bash $(DESTDIR)$(BASHCOMPDIR)/ipvsadm
	$(INSTALL) -m 0644 completions/_ipvsadm $(DESTDIR)$(ZSHCOMPDIR)/_ipvsadm
	$(INSTALL) -m 0644 completions/ipvsadm.fish $(DESTDIR)$(FISHCOMPDIR)/ipvsadm.fish
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' packaging/ipvsadm.service > $(DESTDIR)$(UNITDIR)/ipvsadm.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/ipvsadm.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/ipvsadm.service.tmp $(DESTDIR)$(UNITDIR)/ipvsadm.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ipvsadm \
		$(DESTDIR)$(SBINDIR)/ipvsadm-save \
		$(DESTDIR)$(SBINDIR)/ipvsadm-restore \
		$(DESTDIR)$(MANDIR)/man8/ipvsadm.8 \
		$(DESTDIR)$(MANDIR)/man8/ipvsadm-save.8 \
		$(DESTDIR)$(MANDIR)/man8/ipvsadm-restore.8 \
		$(DESTDIR)$(BASHCOMPDIR)/ipvsadm \
		$(DESTDIR)$(ZSHCOMPDIR)/_ipvsadm \
		$(DESTDIR)$(FISHCOMPDIR)/ipvsadm.fish \
		$(DESTDIR)$(UNITDIR)/ipvsadm.service

check:
	$(CARGO) test

lint-man:
	for f in man/*.8; do groff -man -ww -z $$f || exit 1; done
