namespace BatchXai.Tests.Distributed;

/// <summary>
/// One distributed stack (with its API key) shared by the security and shutdown tests, which run
/// one after another: the shutdown tests stop some of its processes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SecuredStackCollection : ICollectionFixture<DistributedStack>
{
    public const string Name = "secured distributed stack";
}
