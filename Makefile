# masthead: `make run` serves the demo site, `make test` runs the tests. Both install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in pages, feeds, sitemaps and mail name the address `make run` serves, unless MASTHEAD_BASE_URL is set
# (behind a proxy, or with HOST=0.0.0.0: then set it to the address readers use).
RUN_BASE_URL := $(or $(MASTHEAD_BASE_URL),http://$(HOST):$(PORT))
RUN_ENV = SECRET_KEY="$$(cat var/secret_key)" MASTHEAD_BASE_URL="$(RUN_BASE_URL)"
CHROMIUM := /usr/bin/chromium
VARNISHD := /usr/sbin/varnishd

.PHONY: run test install lock bench check-deploy clean chromium varnish cluster cluster-stop test-cluster bench-edge gettext messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp is newer than the lock file once the locked set is installed.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed messages

var/secret_key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(60))" > $@
	chmod 600 $@

# The translation catalogues (masthead/locale/*/LC_MESSAGES/*.po) compiled to the .mo files Django reads.
gettext:
	@command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext)

# What `manage.py compilemessages` does, with msgfmt's format checks, and without the site's settings (no
# SECRET_KEY needed on a fresh checkout).
messages: gettext
	@for po in masthead/locale/*/LC_MESSAGES/*.po; do msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done

run: install var/secret_key
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(MANAGE) load_demo --if-empty
	$(RUN_ENV) $(MANAGE) sync_site
	$(RUN_ENV) $(MANAGE) ensure_admin
	@echo "Serving http://$(HOST):$(PORT)/ as $(RUN_BASE_URL)/ (admin: $(RUN_BASE_URL)/admin/)."
	@echo "Ctrl-C stops the site, its task worker and its scheduler."
	@export $(RUN_ENV); \
	trap 'kill 0' INT TERM EXIT; \
	$(MANAGE) db_worker --queue-name "*" & \
	$(MANAGE) run_scheduler & \
	$(BIN)/gunicorn masthead.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - & \
	wait

chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Varnish from Debian's package, for `make cluster` (deploy/README.md).
varnish:
	@test -x $(VARNISHD) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish)

# Varnish, two app nodes and two RQ workers on loopback, on this machine's PostgreSQL and Redis (deploy/cluster.sh).
cluster: install var/secret_key varnish
	BIN=$(BIN) deploy/cluster.sh start

cluster-stop:
	BIN=$(BIN) deploy/cluster.sh stop

# The cluster's tests: brings the cluster up, runs masthead/tests/cluster against it, and stops it.
test-cluster: install var/secret_key varnish
	BIN=$(BIN) deploy/cluster.sh start
	MASTHEAD_CLUSTER=1 BIN=$(BIN) $(BIN)/pytest masthead/tests/cluster -q -p no:randomly; status=$$?; \
	BIN=$(BIN) deploy/cluster.sh stop; exit $$status

test: install chromium
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install var/secret_key
	$(BIN)/python -m bench.article_page

bench-edge: install var/secret_key varnish
	$(BIN)/python -m bench.edge

lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --extra test --strip-extras --output-file requirements.lock pyproject.toml

check-deploy: install
	SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(60))')" \
	MASTHEAD_BASE_URL=https://news.example.org $(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/static
