# BatchXai — the two commands a new user needs: `make demo` and `make test`.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
CLI := src/BatchXai.Cli/bin/$(CONFIG)/net10.0/batchxai
DEMO_DATA ?= .work/demo-data
DEMO_COUNT ?= 200
DEMO_OUT ?= out/demo
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: setup build demo test test-faults bench models clean up down submit-demo

## setup: install native libraries (image codecs; ONNX Runtime comes with its NuGet package) — idempotent
setup:
	bash infra/setup.sh

## build: compile everything
build: setup
	$(DOTNET) build BatchXai.sln -c $(CONFIG) -v q -nologo

## demo: make a synthetic fundus dataset and explain it with CRM and CAM on the embedded default
demo: build
	@if [ ! -f $(DEMO_DATA)/train.csv ]; then $(CLI) sample-data --out $(DEMO_DATA) --count $(DEMO_COUNT) --seed 7; fi
	$(CLI) run --dataset $(DEMO_DATA) --model models/dr_grader.json --methods crm,cam --out $(DEMO_OUT)

## test: every test (unit, numeric references, embedded pipeline end to end, distributed storage on real services)
test: build
	bash infra/setup.sh --test
	bash infra/services.sh
	CONFIG=$(CONFIG) bash infra/run-tests.sh

## test-faults: only the fault tests (worker/coordinator/aggregator kills, broker restart, PostgreSQL and S3 outages of 30 s and 3 min on private instances; part of make test too)
test-faults: build
	bash infra/setup.sh --test
	bash infra/services.sh
	$(DOTNET) test tests/BatchXai.Tests -c $(CONFIG) --no-build --filter "FullyQualifiedName~Distributed.Faults" --logger "console;verbosity=detailed"

## bench: inference vs CRM throughput on the bundled grader and an exported ResNet-50
bench: setup
	bash infra/setup.sh --python
	$(DOTNET) build bench/BatchXai.Bench -c Release -v q -nologo
	/usr/bin/python3 bench/export_resnet50.py --out .work/bench
	bench/BatchXai.Bench/bin/Release/net10.0/BatchXai.Bench --work .work/bench
	bash infra/services.sh >/dev/null
	bench/BatchXai.Bench/bin/Release/net10.0/BatchXai.Bench end-to-end --concurrency 2
	bench/BatchXai.Bench/bin/Release/net10.0/BatchXai.Bench aggregate --images 2000
	bench/BatchXai.Bench/bin/Release/net10.0/BatchXai.Bench memory --images 10000 --every 1000
	rm -rf .work/s3rver/data/batchxai/mem*   # the memory run's 30,000 objects (~8 GB), faster than s3rver's own delete

## models: regenerate the training data and retrain the bundled models (python3-torch, ~10 min)
models: build
	bash infra/setup.sh --python
	bash models/train.sh

## up: the distributed stack locally (PostgreSQL, RabbitMQ, s3rver; coordinator, 2 workers, aggregator in the background; logs in out/stack/)
up: build
	CONFIG=$(CONFIG) bash infra/stack.sh up

## down: stop the coordinator, workers and aggregator started by make up (the services keep running)
down:
	bash infra/stack.sh down

## submit-demo: upload the sample dataset to S3 and run it through the distributed stack (after make up)
submit-demo:
	CONFIG=$(CONFIG) bash infra/stack.sh demo

clean:
	rm -rf out .work
	$(DOTNET) clean BatchXai.sln -v q -nologo
