using System.CommandLine;
using BatchXai.Synthetic;

namespace BatchXai.Cli.Commands;

/// <summary>
/// <c>batchxai sample-data</c>: writes an APTOS-style synthetic fundus dataset whose grades follow
/// planted lesions, with ground-truth lesion masks (no real data can be downloaded here).
/// </summary>
public static class SampleDataCommand
{
    public static Command Build()
    {
        var output = new Option<string>("--out") { Description = "Folder to write train.csv, train_images/, masks/ and lesions.csv into", Required = true };
        var count = new Option<int>("--count") { Description = "Number of images", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed: image i of seed s is always the same picture", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Image side in pixels", DefaultValueFactory = _ => SampleDataOptions.ReferenceSize };
        var cleverHans = new Option<bool>("--clever-hans") { Description = "Stamp a corner text tag that follows the grade (a shortcut to audit)" };

        var ringGrade = new Option<int?>("--ring-grade") { Description = "Draw a small bright ring at a fixed place on the retina on some images of this grade (a shortcut inside the field of view)" };
        var ringShare = new Option<double>("--ring-share") { Description = "Share of --ring-grade's images with the ring", DefaultValueFactory = _ => new SampleDataOptions().RingShare };
        var castGrade = new Option<int?>("--cast-grade") { Description = "Give some images of this grade a blue-green colour cast (a shortcut over the whole image)" };
        var castShare = new Option<double>("--cast-share") { Description = "Share of --cast-grade's images with the cast", DefaultValueFactory = _ => new SampleDataOptions().CastShare };

        var command = new Command("sample-data", "Write a synthetic fundus dataset (APTOS layout) with lesion masks")
            { output, count, seed, size, cleverHans, ringGrade, ringShare, castGrade, castShare };
        command.SetAction(parse =>
        {
            var options = new SampleDataOptions
            {
                Size = parse.GetValue(size), CleverHans = parse.GetValue(cleverHans),
                RingGrade = parse.GetValue(ringGrade), RingShare = parse.GetValue(ringShare),
                CastGrade = parse.GetValue(castGrade), CastShare = parse.GetValue(castShare),
            };
            try
            {
                options.Validate();
                if (parse.GetValue(count) <= 0) throw new ArgumentException("--count must be positive");
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"batchxai: {e.Message}");
                return ExitCodes.BadInput;
            }
            var summary = SampleDatasetWriter.Write(parse.GetValue(output)!, parse.GetValue(count), parse.GetValue(seed), options);
            Console.WriteLine($"wrote {summary.Count} images to {summary.OutDir} (grades 0..4: {string.Join(", ", summary.GradeCounts)})"
                + (summary.TagMatchesGrade is int m ? $"; tag matches grade on {m} images" : ""));
            return ExitCodes.Ok;
        });
        return command;
    }
}
