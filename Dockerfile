# One image for the distributed services: `batchxai coordinator|worker|aggregator` (docker-compose.yml, infra/k8s/).
# Build: docker build -t batchxai .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# GDCM's C# binding (DICOM) is referenced at compile time from tools/gdcm/.
RUN bash infra/gdcm.sh && dotnet publish src/BatchXai.Cli -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# Image codecs, and npm to fetch the ONNX Runtime library exactly as infra/setup.sh does.
RUN apt-get update && apt-get install -y --no-install-recommends libturbojpeg0 libspng0 libtiff6 nodejs npm curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
COPY infra/setup.sh /app/infra/setup.sh
COPY models /app/models
RUN bash /app/infra/setup.sh && apt-get purge -y npm && apt-get autoremove -y
# For GPU workers, add libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so of the
# ONNX Runtime 1.30.0 GPU build to /app/tools/onnxruntime/ (plus CUDA/cuDNN): WORKER_PROVIDER=auto then picks CUDA.
ENV BATCHXAI_HTTP_BIND=0.0.0.0 BATCHXAI_MODELS_DIR=/app/models
ENTRYPOINT ["/app/batchxai"]
