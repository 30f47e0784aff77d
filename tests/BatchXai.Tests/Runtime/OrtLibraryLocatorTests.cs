using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

public class OrtLibraryLocatorTests
{
    [Fact]
    public void Missing_explicit_path_fails_naming_the_path_and_how_to_install()
    {
        var missing = Path.Combine(Path.GetTempPath(), "batchxai-no-such-dir-" + Guid.NewGuid().ToString("N"), "libonnxruntime.so.1");

        var e = Assert.Throws<OrtLibraryNotFoundException>(() => OrtRuntime.Load(missing));

        Assert.Contains(missing, e.Message);
        Assert.Contains("file not found", e.Message);
        Assert.Contains("make setup", e.Message);
        Assert.Contains("bash infra/setup.sh", e.Message);
        Assert.Contains("BATCHXAI_ORT_LIB", e.Message);
        Assert.Single(e.Attempts); // an explicit path is the only candidate: no silent fallback to another copy
    }

    [Fact]
    public void A_file_that_is_not_a_library_fails_with_the_loader_reason()
    {
        var notALibrary = Path.Combine(Path.GetTempPath(), "batchxai-not-a-lib-" + Guid.NewGuid().ToString("N") + ".so");
        File.WriteAllText(notALibrary, "this is not an ELF file");
        try
        {
            var e = Assert.Throws<OrtLibraryNotFoundException>(() => OrtRuntime.Load(notALibrary));
            Assert.Contains(notALibrary, e.Message);
            Assert.DoesNotContain("file not found", e.Message);
        }
        finally
        {
            File.Delete(notALibrary);
        }
    }

    [Fact]
    public void Explicit_path_wins_over_environment_and_tools_folder()
    {
        var candidates = OrtLibraryLocator.GetCandidates("/opt/a/libonnxruntime.so.1", "/opt/env/libonnxruntime.so.1", ["/srv/app"]);
        var only = Assert.Single(candidates);
        Assert.Equal(new OrtLibraryCandidate("/opt/a/libonnxruntime.so.1", OrtLibrarySource.ExplicitArgument), only);
    }

    [Fact]
    public void Environment_variable_wins_over_tools_folder()
    {
        var candidates = OrtLibraryLocator.GetCandidates(null, "/opt/env/libonnxruntime.so.1", ["/srv/app"]);
        var only = Assert.Single(candidates);
        Assert.Equal(new OrtLibraryCandidate("/opt/env/libonnxruntime.so.1", OrtLibrarySource.EnvironmentVariable), only);
    }

    [Fact]
    public void Without_configuration_the_tools_folder_is_searched_upwards_then_the_system()
    {
        var candidates = OrtLibraryLocator.GetCandidates(null, "", ["/srv/app/bin", "/srv/app"]);

        Assert.Equal(
            [
                new("/srv/app/bin/tools/onnxruntime/libonnxruntime.so.1", OrtLibrarySource.ToolsFolder),
                new("/srv/app/tools/onnxruntime/libonnxruntime.so.1", OrtLibrarySource.ToolsFolder),
                new("/srv/tools/onnxruntime/libonnxruntime.so.1", OrtLibrarySource.ToolsFolder),
                new("/tools/onnxruntime/libonnxruntime.so.1", OrtLibrarySource.ToolsFolder),
                new OrtLibraryCandidate("libonnxruntime.so.1", OrtLibrarySource.SystemSearch),
            ],
            candidates);
    }

    [Fact]
    public void The_test_run_finds_the_library_through_a_parent_tools_folder()
    {
        // Tests run from <repo>/tests/BatchXai.Tests/bin/...: the walk up must reach <repo>/tools/onnxruntime.
        var found = OrtLibraryLocator.GetCandidates(null, null, [AppContext.BaseDirectory])
            .Where(c => c.Source == OrtLibrarySource.ToolsFolder)
            .FirstOrDefault(c => File.Exists(c.PathOrName));
        Assert.NotNull(found);
    }
}
