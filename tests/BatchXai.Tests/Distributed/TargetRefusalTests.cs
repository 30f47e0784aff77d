using BatchXai.Distributed.Client;
using BatchXai.Distributed.Coordinator;

namespace BatchXai.Tests.Distributed;

/// <summary>POST /runs with a target that names no class or finding of the model answers 400 naming it; nothing is recorded.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class TargetRefusalTests(DistributedStack stack)
{
    [Fact]
    public async Task A_target_naming_no_finding_of_the_model_is_refused_with_400_naming_it()
    {
        var before = (await stack.Client.RunsAsync(500)).Count;
        var request = new StartRunRequest($"s3://{stack.Bucket.Name}/datasets/none", stack.Model.ManifestPath, ["cam"], Target: "Cardiomegaly", BatchSize: 16);
        var refused = await Assert.ThrowsAsync<CoordinatorApiException>(() => stack.Client.StartRunAsync(request));
        Assert.True(refused.Status == 400, $"{refused.Status} {refused.Message}");
        Assert.Contains("'Cardiomegaly' is not a class of the model", refused.Message);
        Assert.Equal(before, (await stack.Client.RunsAsync(500)).Count);
    }
}
