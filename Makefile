# The portal's two commands: `make run` and `make test`. Everything they need, they set up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
CHROMIUM := /usr/bin/chromium
# Debian packages: Pango for WeasyPrint (HarfBuzz's subsetter makes it markedly faster); for
# the tests also the browser, a font for the test PDFs they build and poppler (pdftocairo
# draws stamps into the page for measuring; pdfsig checks signatures). The documents' own
# font ships in static/fonts/. PyICU (Vietnamese alphabetical order) is built from source
# against ICU: libicu-dev, pkg-config and a C++ compiler, installed before pip runs.
RUNTIME_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libicu-dev pkg-config g++ python3-dev
TEST_PACKAGES := chromium fonts-dejavu-core softhsm2 poppler-utils
# The accessibility checker the browser tests inject into every page, from the npm registry
# (pinned; fetched into a git-ignored folder with its licence).
AXE_VERSION := 4.14.1
AXE_DIR := tests/browser/.axe-core

.PHONY: run worker test lint bench install runtime-packages system-packages translations messages clean axe-core

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate runtime-packages
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

# Installs Debian packages when one is missing (the machine's user is root; else sudo).
define install_debian_packages
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

runtime-packages:
	$(call install_debian_packages,$(RUNTIME_PACKAGES))

system-packages: runtime-packages
	$(call install_debian_packages,$(TEST_PACKAGES))

# Compiled catalogues (.mo) are built, not committed.
translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d portal/translations

# For developers: collect new messages into the catalogues after changing the code.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o portal/translations/messages.pot .
	$(BIN)/pybabel -q update -i portal/translations/messages.pot -d portal/translations -w 100

# With REDIS_URL set, a worker runs beside the portal (and stops with it); without it, jobs
# run inside the portal.
run: install runtime-packages
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data
	@echo "Portal: http://127.0.0.1:5000  (stop with Ctrl-C)"
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "Worker: flask jobs worker (REDIS_URL is set)"; \
	  $(BIN)/flask jobs worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
	fi; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

worker: install runtime-packages
	$(BIN)/flask jobs worker

$(AXE_DIR)/$(AXE_VERSION)/axe.min.js:
	@rm -rf $(AXE_DIR) && mkdir -p $(AXE_DIR)/$(AXE_VERSION)
	cd $(AXE_DIR) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	tar -xzf $(AXE_DIR)/axe-core-$(AXE_VERSION).tgz -C $(AXE_DIR)/$(AXE_VERSION) --strip-components=1 \
	  package/axe.min.js package/LICENSE
	rm $(AXE_DIR)/axe-core-$(AXE_VERSION).tgz

axe-core: $(AXE_DIR)/$(AXE_VERSION)/axe.min.js

test: install system-packages axe-core
	$(BIN)/pytest

BENCH_DELIVERIES ?= 1000000
bench: install runtime-packages
	$(call install_debian_packages,wrk)
	PYTHONPATH=. $(BIN)/python bench/pages.py
	PYTHONPATH=. $(BIN)/python bench/exchange.py --deliveries $(BENCH_DELIVERIES)
	PYTHONPATH=. $(BIN)/python bench/leaderboard.py --deliveries $(BENCH_DELIVERIES)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(AXE_DIR)
