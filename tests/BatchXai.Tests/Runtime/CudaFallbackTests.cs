using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

/// <summary>
/// CUDA asked for on this CPU-only machine (the CPU package, no CUDA 13 libraries): sessions run on CPU and
/// one log line names what is missing. On a host where CUDA is usable these tests check the other branch.
/// </summary>
public class CudaFallbackTests
{
    private static readonly CudaAvailability Cuda = OrtRuntime.Shared.Cuda(0);

    [Fact]
    public void Cuda_request_falls_back_to_cpu_with_one_line_naming_the_missing_libraries()
    {
        var logged = new List<string>();
        var options = new OrtSessionOptions { ExecutionProvider = OrtExecutionProvider.Cuda, CudaDeviceId = 0, Log = logged.Add };

        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs, options);
        using var second = OrtInferenceSession.FromFile(RuntimeTestModels.Affine, options); // a model has several sessions

        if (Cuda.Usable)
        {
            Assert.Equal(session.ExecutionProviderInUse == OrtExecutionProvider.Cpu, session.FallbackReason is not null);
        }
        else
        {
            Assert.Equal(OrtExecutionProvider.Cpu, session.ExecutionProviderInUse);
            Assert.Equal(OrtExecutionProvider.Cpu, second.ExecutionProviderInUse);
            var line = Assert.Single(logged); // one line, not one per session
            Assert.Contains("running on CPU", line);
            Assert.Contains(session.FallbackReason!, line);
            // Every library the loader cannot open here is named by file, e.g. the CUDA 13 runtime.
            foreach (var missing in CudaAvailability.MissingLibraries(CudaAvailability.RequiredLibraries))
                Assert.Contains(missing.FileName, line);
            Assert.Contains(CudaAvailability.ProviderLibrary, line); // the CPU package has no CUDA provider
            Assert.Contains("OnnxRuntimeFlavor=gpu", line);
        }

        using var result = session.Run([OrtInputTensor.Float("x", new float[] { 1, 2, 3, 4 }, 1, 4)], "total");
        Assert.Equal([10f], result["total"].ToArray());
    }

    [Fact]
    public void The_probe_names_the_cuda_13_runtime_exactly_when_it_is_not_on_disk()
    {
        // Independent of the probe: is libcudart.so.13 in a folder the loader searches?
        var onDisk = new[] { "/usr/lib/x86_64-linux-gnu", "/usr/local/cuda/lib64", "/usr/lib", "/lib/x86_64-linux-gnu" }
            .Concat((Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Any(dir => File.Exists(Path.Combine(dir, "libcudart.so.13")));

        var missing = CudaAvailability.MissingLibraries(CudaAvailability.RequiredLibraries);

        Assert.Equal(!onDisk, missing.Any(l => l.FileName == "libcudart.so.13"));
        if (!onDisk)
        {
            Assert.False(Cuda.Usable);
            Assert.Contains("libcudart.so.13 (CUDA 13 runtime)", Cuda.Reason);
        }
    }

    [Theory]
    [InlineData(ProviderRequest.Cpu)]
    [InlineData(ProviderRequest.Auto)]
    [InlineData(ProviderRequest.Cuda)]
    public void Provider_choice_takes_cuda_only_when_asked_or_usable_and_says_why(ProviderRequest request)
    {
        var (provider, why) = ProviderChoice.Resolve(request, OrtRuntime.Shared);

        var expected = request switch
        {
            ProviderRequest.Cpu => OrtExecutionProvider.Cpu,
            ProviderRequest.Cuda => OrtExecutionProvider.Cuda, // sessions then fall back, logging why
            _ => Cuda.Usable ? OrtExecutionProvider.Cuda : OrtExecutionProvider.Cpu,
        };
        Assert.Equal(expected, provider);
        if (request != ProviderRequest.Cpu && !Cuda.Usable) Assert.Contains(Cuda.Reason!, why);
    }

    [Fact]
    public void Provider_settings_parse_and_reject_naming_the_setting()
    {
        Assert.Equal(ProviderRequest.Auto, ProviderChoice.Parse(null, "WORKER_PROVIDER"));
        Assert.Equal(ProviderRequest.Cuda, ProviderChoice.Parse("CUDA", "WORKER_PROVIDER"));
        var e = Assert.Throws<ArgumentException>(() => ProviderChoice.Parse("tpu", "WORKER_PROVIDER"));
        Assert.Contains("WORKER_PROVIDER", e.Message);
        Assert.Contains("'tpu'", e.Message);
    }
}
