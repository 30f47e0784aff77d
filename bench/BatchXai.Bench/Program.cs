using System.CommandLine;
using BatchXai.Bench;

var work = new Option<string>("--work") { Description = "Folder with resnet50.json/.onnx (made by bench/export_resnet50.py)", DefaultValueFactory = _ => ".work/bench" };
var images = new Option<int>("--images") { Description = "Images per measurement", DefaultValueFactory = _ => 32 };
var rounds = new Option<int>("--rounds") { Description = "Interleaved rounds; the fastest is reported", DefaultValueFactory = _ => 5 };
var measures = new Option<string?>("--measures") { Description = "Rows to time besides inference, comma-separated prefixes (e.g. crm,forward+input,ig ); default all" };
var root = new RootCommand("BatchXai benchmarks: plain inference vs explanation methods, measured in one run") { work, images, rounds, measures };
root.Subcommands.Add(EndToEndBenchmark.Command());
root.Subcommands.Add(AggregationBenchmark.Command());
root.Subcommands.Add(GradientProfileBenchmark.Command());
root.Subcommands.Add(MemoryBenchmark.Command());
root.SetAction(parse => InferenceVsMethodsBenchmark.Run(parse.GetValue(work)!, parse.GetValue(images), parse.GetValue(rounds), parse.GetValue(measures)));
return root.Parse(args).Invoke();
