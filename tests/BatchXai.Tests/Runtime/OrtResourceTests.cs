using System.Diagnostics;
using System.Runtime.CompilerServices;
using BatchXai.Onnx.Runtime;

namespace BatchXai.Tests.Runtime;

/// <summary>Tests that read the process-wide live OrtValue count must not run beside other ORT tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class OrtResourceCollection
{
    public const string Name = "ORT resource accounting";
}

[Collection(OrtResourceCollection.Name)]
public class OrtResourceTests
{
    [Fact]
    public void Two_thousand_runs_release_every_ort_value_and_memory_stays_flat()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.Affine);
        const int batch = 4; // 48 KiB in and 48 KiB out per run: 2000 leaked outputs would be ~94 MiB
        var x = RuntimeTestModels.RandomValues(batch * 3 * 32 * 32, seed: 7);
        var shape = new long[] { batch, 3, 32, 32 };
        var output = new float[x.Length];

        void RunMany(int count)
        {
            for (var i = 0; i < count; i++)
            {
                using var result = session.Run([OrtInputTensor.Float("x", x, shape)], "y");
                result[0].CopyTo(output);
            }
        }

        RunMany(200); // warm up ORT's arena and the JIT before measuring
        var valuesBefore = OrtRuntime.LiveOrtValueCount;
        var memoryBefore = SettledWorkingSet();

        RunMany(2000);

        var memoryAfter = SettledWorkingSet();
        Assert.Equal(valuesBefore, OrtRuntime.LiveOrtValueCount);
        Assert.InRange(memoryAfter - memoryBefore, long.MinValue, 24L << 20);
        Assert.Equal(x[^1] * 2f + 1f, output[^1]); // the loop did real work
    }

    [Fact]
    public void Undisposed_results_are_released_by_the_finalizer()
    {
        using var session = OrtInferenceSession.FromFile(RuntimeTestModels.TwoOutputs);
        var before = OrtRuntime.LiveOrtValueCount;

        RunWithoutDisposing(session, 50);
        Assert.Equal(before + 100, OrtRuntime.LiveOrtValueCount); // two outputs each, still alive

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(before, OrtRuntime.LiveOrtValueCount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunWithoutDisposing(OrtInferenceSession session, int count)
    {
        var results = new List<OrtRunResult>();
        for (var i = 0; i < count; i++) results.Add(session.Run([OrtInputTensor.Float("x", new float[4], 1, 4)]));
        GC.KeepAlive(results);
    }

    private static long SettledWorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
