using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

public class OrtRuntimeTests
{
    [Fact]
    public void Version_is_the_installed_1_30_library()
    {
        var runtime = OrtRuntime.Shared;
        Assert.StartsWith("1.30", runtime.Version);
        // The tools folder records the version it installed; the library must report the same.
        var versionFile = Path.Combine(Path.GetDirectoryName(runtime.LibraryPath)!, "VERSION");
        if (File.Exists(versionFile)) Assert.Equal(File.ReadAllText(versionFile).Trim(), runtime.Version);
    }

    [Fact]
    public void Loading_the_same_library_again_returns_the_shared_runtime()
    {
        var shared = OrtRuntime.Shared;
        Assert.Same(shared, OrtRuntime.Load(shared.LibraryPath));
        Assert.Same(shared, OrtRuntime.Shared);
    }

    [Fact]
    public void Cpu_provider_is_available()
    {
        Assert.Contains("CPUExecutionProvider", OrtRuntime.Shared.AvailableProviders);
    }
}
