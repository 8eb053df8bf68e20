# The two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: run test test-postgres bench bench-postgres lint messages system-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Re-install only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	CHIBO_DEBUG=1 $(BIN)/chibo migrate --noinput -v0
	CHIBO_DEBUG=1 $(BIN)/chibo seed --scale demo --if-empty
	CHIBO_DEBUG=1 $(BIN)/chibo runserver 127.0.0.1:$(PORT)

# Browser tests drive Debian's Chromium (no browser download works here); gettext checks
# that every string has its Vietnamese translation. The minutes' tests print PDFs with
# WeasyPrint (Pango, Noto/DejaVu fonts), read them with pdftotext, and open the DOCX in
# LibreOffice (Liberation Serif stands in for Times New Roman).
system-packages:
	@command -v chromium >/dev/null && command -v msgfmt >/dev/null && \
	  command -v pdftotext >/dev/null && command -v soffice >/dev/null && \
	  test -e /usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf && \
	  test -e /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf && \
	  test -e /usr/lib/libreoffice/program/libsclo.so && \
	  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep -q libpangoft2-1.0 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium gettext fonts-noto-core fonts-dejavu-core fonts-liberation poppler-utils \
	    libreoffice-writer-nogui libreoffice-calc-nogui libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

test: $(VENV)/.installed system-packages
	CHIBO_FAST_HASHER=1 $(BIN)/ruff check .
	CHIBO_FAST_HASHER=1 $(BIN)/pytest

# The same suite on PostgreSQL (used by .ci/run; needs a server on 127.0.0.1:5432).
test-postgres: $(VENV)/.installed system-packages
	CHIBO_FAST_HASHER=1 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/chibo} $(BIN)/pytest

bench: $(VENV)/.installed
	CHIBO_ALLOW_DEV_KEY=1 CHIBO_FAST_HASHER=1 $(BIN)/chibo bench

bench-postgres: $(VENV)/.installed
	CHIBO_ALLOW_DEV_KEY=1 CHIBO_FAST_HASHER=1 $(BIN)/chibo bench --postgres $${POSTGRES_SERVER:-postgres://postgres@127.0.0.1:5432}

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refresh the translation catalogues after changing user-facing strings, then translate
# chibo/locale/*/LC_MESSAGES/django.po and compile. The compiled .mo files are committed.
messages: $(VENV)/.installed
	cd chibo && ../$(BIN)/chibo makemessages -l vi -l en --no-obsolete --no-location
	cd chibo && ../$(BIN)/chibo compilemessages

clean:
	rm -rf $(VENV) var
