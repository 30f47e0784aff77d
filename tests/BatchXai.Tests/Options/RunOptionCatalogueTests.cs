using System.CommandLine;
using BatchXai.Cli.Commands;
using BatchXai.Cli.Commands.Distributed;
using BatchXai.Coordinator;
using BatchXai.Core.Methods;
using Xunit;

namespace BatchXai.Tests.Options;

/// <summary>
/// The run options are declared once, beside the code that reads them; README's table, both
/// commands' flags and the request check all come from <see cref="RunOptionCatalogue"/>.
/// </summary>
public class RunOptionCatalogueTests
{
    [Fact]
    public void Readme_method_and_option_tables_are_the_ones_the_declarations_give()
    {
        var readme = ReadmePath();
        var text = File.ReadAllText(readme).ReplaceLineEndings("\n");
        int begin = text.IndexOf(RunOptionTable.Begin, StringComparison.Ordinal), end = text.IndexOf(RunOptionTable.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"README.md lacks the marked block {RunOptionTable.Begin} … {RunOptionTable.End}");
        var stored = text[(begin + RunOptionTable.Begin.Length)..end].Trim('\n');
        var expected = RunOptionTable.Markdown().Trim('\n');
        // BATCHXAI_UPDATE_README=1 rewrites the block (then review the diff).
        if (stored != expected && Environment.GetEnvironmentVariable("BATCHXAI_UPDATE_README") == "1")
        {
            File.WriteAllText(readme, text[..(begin + RunOptionTable.Begin.Length)] + "\n" + expected + "\n" + text[end..]);
            return;
        }
        Assert.Equal(expected, stored);
    }

    [Fact]
    public void The_table_lists_every_registered_method_and_every_declared_option()
    {
        var table = RunOptionTable.Markdown();
        foreach (var method in MethodRegistry.All) Assert.Contains($"| `{method.Name}` | {method.Summary.Replace("|", "\\|")} |", table);
        foreach (var option in MethodRegistry.All.SelectMany(m => m.Options)) Assert.Contains($"| `--{option.Name}` |", table);
        Assert.Contains("| `--metrics` |", table);
        Assert.Contains("| `--window` |", table);
        Assert.Contains("| `--class-selection` |", table);
    }

    [Fact]
    public void Run_and_submit_offer_every_catalogued_option_with_the_same_help()
    {
        var run = RunCommand.Build();
        var submit = SubmitCommand.Build();
        foreach (var option in RunOptionCatalogue.All)
        {
            var inRun = Assert.Single(run.Options, o => o.Name == "--" + option.Name);
            var inSubmit = Assert.Single(submit.Options, o => o.Name == "--" + option.Name);
            Assert.Equal(option.Description, inRun.Description);
            Assert.Equal(inRun.Description, inSubmit.Description);
        }
        foreach (var method in MethodRegistry.All)
        {
            Assert.Contains(method.Name + ": ", run.Options.Single(o => o.Name == "--methods").Description);
            Assert.Contains(method.Name + ": ", submit.Options.Single(o => o.Name == "--methods").Description);
        }
    }

    [Fact]
    public void Submit_passes_a_method_option_through_to_the_request()
    {
        var flags = RunOptionFlags.Create();
        var command = new Command("probe");
        foreach (var flag in flags) command.Options.Add(flag);
        var parse = command.Parse(["--occlusion-patch", "24", "--smoothgrad-sigma", "0.2", "--window", "-600,1500"]);
        var values = RunOptionFlags.Values(parse, flags);
        Assert.Equal(new Dictionary<string, string> { ["occlusion-patch"] = "24", ["smoothgrad-sigma"] = "0.2", ["window"] = "-600,1500" }, values);
    }

    [Theory]
    [InlineData("ig-stepz", "8", "--ig-stepz")]
    [InlineData("occlusion-patch", "0", "--occlusion-patch")]
    [InlineData("ig-rule", "simpson", "--ig-rule")]
    [InlineData("metrics", "deletion,fidelity", "fidelity")]
    [InlineData("window", "-600", "--window")]
    [InlineData("frame", "-1", "--frame")]
    [InlineData("class-selection", "all", "--class-selection")]
    public void A_request_with_an_unknown_option_or_a_bad_value_is_refused_naming_it(string name, string value, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => RunOptionCatalogue.Check(new Dictionary<string, string> { [name] = value }));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Good_values_of_every_kind_pass()
    {
        RunOptionCatalogue.Check(new Dictionary<string, string>
        {
            ["ig-steps"] = "16", ["ig-rule"] = "gauss-legendre", ["smoothgrad-sigma"] = "0.3", ["metrics"] = "deletion,randomisation",
            ["window"] = "-600,1500", ["frame"] = "2", ["class-selection"] = "label", ["overlay-size"] = "256",
        });
    }

    [Fact]
    public void A_flag_two_methods_read_shows_both_defaults()
    {
        var rule = RunOptionCatalogue.All.Single(o => o.Name == "ig-rule");
        Assert.Equal(["ig", "blurig", "xrai"], rule.UsedBy);
        Assert.Contains("gauss-legendre for blurig", rule.DefaultText);
        Assert.Contains("trapezoid for ig", rule.DefaultText);
    }

    private static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "BatchXai.sln"))) return candidate;
        }
        throw new FileNotFoundException("README.md beside BatchXai.sln, above " + AppContext.BaseDirectory);
    }
}
