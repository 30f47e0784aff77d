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
}
