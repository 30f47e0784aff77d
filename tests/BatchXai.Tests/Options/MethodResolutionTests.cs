using BatchXai.Core.Heads;
using BatchXai.Core.Methods;
using Xunit;

namespace BatchXai.Tests.Options;

/// <summary>MethodRegistry.ResolveFor: the one place a run's methods are resolved and checked against the model's head.</summary>
public class MethodResolutionTests
{
    [Fact]
    public void Methods_that_need_a_linear_head_are_refused_on_a_generic_one_naming_the_model_and_each_method()
    {
        var e = Assert.Throws<ArgumentException>(() => MethodRegistry.ResolveFor(HeadKind.Generic, "mobilenet", ["crm", "cam", "clear"], MethodOptions.Defaults));
        Assert.Contains("model mobilenet", e.Message);
        Assert.Contains("cam", e.Message);
        Assert.Contains("clear", e.Message);
    }

    [Fact]
    public void Every_registered_method_resolves_on_a_gap_linear_head_with_its_options()
    {
        var options = new MethodOptions(new Dictionary<string, string> { ["ig-steps"] = "8", ["occlusion-patch"] = "4" });
        var methods = MethodRegistry.ResolveFor(HeadKind.GapLinear, "grader", [.. MethodRegistry.All.Select(d => d.Name)], options);
        Assert.Equal(MethodRegistry.All.Select(d => d.Name), methods.Select(m => m.Name));
        Assert.Equal(8, methods.OfType<IntegratedGradientsMethod>().Single().Steps);
    }

    [Fact]
    public void A_bad_method_option_names_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => MethodRegistry.ResolveFor(HeadKind.GapLinear, "grader", ["smoothgrad"],
            new MethodOptions(new Dictionary<string, string> { ["smoothgrad-samples"] = "0" })));
        Assert.Contains("--smoothgrad-samples", e.Message);
    }
}
