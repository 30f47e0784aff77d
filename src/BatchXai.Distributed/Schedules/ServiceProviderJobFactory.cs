using Microsoft.Extensions.DependencyInjection;
using Quartz;
using Quartz.Spi;

namespace BatchXai.Distributed.Schedules;

/// <summary>Creates Quartz jobs from the host's services (Quartz.Extensions.Hosting is not available here).</summary>
public sealed class ServiceProviderJobFactory(IServiceProvider services) : IJobFactory
{
    public IJob NewJob(TriggerFiredBundle bundle, IScheduler scheduler) =>
        (IJob)ActivatorUtilities.CreateInstance(services, bundle.JobDetail.JobType);

    public void ReturnJob(IJob job) => (job as IDisposable)?.Dispose();
}
