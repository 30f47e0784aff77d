# One image for the distributed services: `batchxai coordinator|worker|aggregator` (docker-compose.yml, infra/k8s/).
# Build: docker build -t batchxai .                        (CPU; ONNX Runtime from Microsoft.ML.OnnxRuntime)
#        docker build --target gpu -t batchxai-gpu .       (CUDA 13 + cuDNN 9; Microsoft.ML.OnnxRuntime.Gpu.Linux)
# The native ONNX Runtime comes with the NuGet package chosen by -p:OnnxRuntimeFlavor (README, "ONNX Runtime and GPUs").
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS source
WORKDIR /src
COPY . .
# GDCM's C# binding (DICOM) is referenced at compile time from tools/gdcm/.
RUN bash infra/gdcm.sh

FROM source AS build-gpu
RUN dotnet publish src/BatchXai.Cli -c Release -o /app -p:OnnxRuntimeFlavor=gpu --nologo

FROM source AS build-cpu
RUN dotnet publish src/BatchXai.Cli -c Release -o /app -p:OnnxRuntimeFlavor=cpu --nologo

# GPU worker: CUDA 13 runtime with cuDNN 9 (libcudart.so.13, libcublas(Lt).so.13, libcurand.so.10,
# libcudnn.so.9), plus the ASP.NET runtime copied from Microsoft's image. WORKER_PROVIDER=auto then picks CUDA.
FROM nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04 AS gpu
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0 /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && apt-get update && apt-get install -y --no-install-recommends libturbojpeg libspng0 libtiff6 libgdcm3.0t64 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build-gpu /app /app
COPY models /app/models
ENV BATCHXAI_HTTP_BIND=0.0.0.0 BATCHXAI_MODELS_DIR=/app/models DOTNET_ROOT=/usr/share/dotnet
ENTRYPOINT ["/app/batchxai"]

# CPU (the default target, last in the file).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS cpu
RUN apt-get update && apt-get install -y --no-install-recommends libturbojpeg0 libspng0 libtiff6 libgdcm3.0 curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build-cpu /app /app
COPY models /app/models
ENV BATCHXAI_HTTP_BIND=0.0.0.0 BATCHXAI_MODELS_DIR=/app/models
ENTRYPOINT ["/app/batchxai"]
