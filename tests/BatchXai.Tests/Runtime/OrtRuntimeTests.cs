using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

public class OrtRuntimeTests
{
    [Fact]
    public void The_runtime_is_the_1_31_library_of_the_cpu_nuget_package_beside_the_tests()
    {
        var runtime = OrtRuntime.Shared;
        Assert.StartsWith("1.31", runtime.Version);
        Assert.Equal("cpu", OrtRuntime.Flavor); // the default build; -p:OnnxRuntimeFlavor=gpu switches package
        Assert.True(File.Exists(runtime.LibraryPath), $"{runtime.LibraryPath} should be the library the package copied");
        Assert.StartsWith(AppContext.BaseDirectory, runtime.LibraryPath);
    }

    [Fact]
    public void Shared_is_one_runtime_per_process()
    {
        Assert.Same(OrtRuntime.Shared, OrtRuntime.Shared);
    }

    [Fact]
    public void Cpu_provider_is_available()
    {
        Assert.Contains("CPUExecutionProvider", OrtRuntime.Shared.AvailableProviders);
    }

    [Theory]
    [InlineData("cpu", "Microsoft.ML.OnnxRuntime:")]
    [InlineData("gpu", "Microsoft.ML.OnnxRuntime.Gpu.Linux")]
    public void A_missing_native_library_names_where_it_was_looked_for_and_which_package_brings_it(string flavor, string package)
    {
        var e = new OrtLibraryNotFoundException("/srv/app/libonnxruntime.so", flavor,
            new DllNotFoundException("libonnxruntime.so: cannot open shared object file"));

        Assert.Contains("/srv/app/libonnxruntime.so", e.Message);
        Assert.Contains("cannot open shared object file", e.Message);
        Assert.Contains(package, e.Message);
        Assert.Contains($"{flavor} package", e.Message);
    }
}
