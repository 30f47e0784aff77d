namespace BatchXai.Tests.Distributed;

/// <summary>
/// One distributed stack (coordinator with its API key, two workers, aggregator) shared by every
/// distributed end-to-end test, one test after another. Tests that stop a service start their
/// own extra process for it, so the stack stays whole.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DistributedStackCollection : ICollectionFixture<DistributedStack>
{
    public const string Name = "distributed stack";
}
