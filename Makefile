# Thin wrappers around tasks.py, which needs nothing but Python 3.11.
PYTHON ?= python3

.PHONY: run test bench install clean
run:      ## set up, ingest seeds/ into the default store, serve SPARQL on 127.0.0.1:7878
	$(PYTHON) tasks.py run
test:     ## set up (including Chromium for the page test) and run the whole test suite
	$(PYTHON) tasks.py test
bench:    ## benchmarks; writes bench/REPORT.md
	$(PYTHON) tasks.py bench
install:  ## only create .venv and install
	$(PYTHON) tasks.py install
clean:
	rm -rf .venv build *.egg-info .pytest_cache
