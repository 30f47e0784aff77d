using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BatchXai.Storage.Objects;

namespace BatchXai.Tests.Distributed;

/// <summary>A fresh bucket on the S3 service for one test class, emptied and deleted afterwards. Use as a class fixture.</summary>
public sealed class S3TestBucket : IAsyncLifetime
{
    public string Name { get; } = $"batchxai-test-{Guid.NewGuid():N}"[..40];

    /// <summary>A plain SDK client, bypassing the store: the independent view of what is stored.</summary>
    public AmazonS3Client Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await DistributedServices.EnsureStartedAsync();
        var settings = DistributedServices.S3();
        Client = new AmazonS3Client(new BasicAWSCredentials(settings.AccessKey, settings.SecretKey),
            new AmazonS3Config { ServiceURL = settings.Endpoint, ForcePathStyle = true, AuthenticationRegion = settings.Region });
        await Client.PutBucketAsync(Name);
    }

    /// <summary>A store rooted at a prefix of its own in this bucket, so tests of one class do not see each other's keys.</summary>
    public S3ObjectStore Store(string prefix, int listPageSize = 1000) => new(DistributedServices.S3(listPageSize), Name, prefix);

    public async Task DisposeAsync()
    {
        // Each pass lists from the start: a continuation token may count positions, and deleting
        // under it skips keys; a PUT a killed service had in flight can also land after a pass.
        for (int attempt = 1; ; attempt++)
        {
            while ((await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name })).S3Objects is { Count: > 0 } objects)
                foreach (var o in objects) await Client.DeleteObjectAsync(Name, o.Key);
            try
            {
                await Client.DeleteBucketAsync(Name);
                break;
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "BucketNotEmpty" && attempt < 3)
            {
                await Task.Delay(500);
            }
        }
        Client.Dispose();
    }
}
