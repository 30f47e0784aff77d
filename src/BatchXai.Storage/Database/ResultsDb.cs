using System.Text;
using Microsoft.EntityFrameworkCore;

namespace BatchXai.Storage.Database;

/// <summary>
/// The results database (SQLite embedded, PostgreSQL distributed). The schema itself is owned
/// by the versioned SQL migrations, not by EF: this context only maps rows onto it.
/// </summary>
public sealed class ResultsDb(DbContextOptions<ResultsDb> options) : DbContext(options)
{
    public DbSet<RunRow> Runs => Set<RunRow>();
    public DbSet<ImageResultRow> ImageResults => Set<ImageResultRow>();
    public DbSet<ImageFailureRow> ImageFailures => Set<ImageFailureRow>();
    public DbSet<ClassAggregateRow> ClassAggregates => Set<ClassAggregateRow>();
    public DbSet<AuditFindingRow> AuditFindings => Set<AuditFindingRow>();
    public DbSet<ClassDominanceRow> ClassDominance => Set<ClassDominanceRow>();
    public DbSet<ScheduleRow> Schedules => Set<ScheduleRow>();
    public DbSet<ImageFieldOfViewRow> ImageFieldsOfView => Set<ImageFieldOfViewRow>();
    public DbSet<ModelMetricRow> ModelMetrics => Set<ModelMetricRow>();
    public DbSet<ImageMetricRow> ImageMetrics => Set<ImageMetricRow>();
    public DbSet<ClassMetricRow> ClassMetrics => Set<ClassMetricRow>();
    public DbSet<ImageSanityRow> ImageSanity => Set<ImageSanityRow>();
    public DbSet<SprayClusterRow> SprayClusters => Set<SprayClusterRow>();
    public DbSet<RunBatchRow> RunBatches => Set<RunBatchRow>();
    public DbSet<CausalCheckRow> CausalChecks => Set<CausalCheckRow>();

    /// <summary>PostgreSQL (the distributed mode), where concurrent writers need explicit locks; else SQLite.</summary>
    internal bool IsPostgres => Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<RunRow>().ToTable("runs");
        model.Entity<RunBatchRow>().ToTable("run_batches").HasKey(r => new { r.RunId, r.BatchIndex });
        model.Entity<ImageResultRow>().ToTable("image_results").HasIndex(r => new { r.RunId, r.ImageKey, r.Method, r.TargetClass }).IsUnique();
        model.Entity<ImageFailureRow>().ToTable("image_failures").HasIndex(r => new { r.RunId, r.ImageKey }).IsUnique();
        model.Entity<ClassAggregateRow>().ToTable("class_aggregates").HasIndex(r => new { r.RunId, r.Method, r.ClassIndex }).IsUnique();
        model.Entity<AuditFindingRow>().ToTable("audit_findings").HasIndex(r => new { r.RunId, r.Method, r.ClassIndex, r.Kind }).IsUnique();
        model.Entity<ClassDominanceRow>().ToTable("class_dominance").HasIndex(r => new { r.RunId, r.Method, r.ClassIndex, r.DominantClass }).IsUnique();
        model.Entity<ScheduleRow>().ToTable("schedules").HasIndex(r => r.Name).IsUnique();
        model.Entity<ImageFieldOfViewRow>().ToTable("image_fields_of_view").HasIndex(r => new { r.RunId, r.ImageKey }).IsUnique();
        model.Entity<ModelMetricRow>().ToTable("model_metrics").HasIndex(r => new { r.RunId, r.Metric, r.ClassIndex, r.PredictedIndex }).IsUnique();
        model.Entity<ImageMetricRow>().ToTable("image_metrics").HasIndex(r => new { r.RunId, r.ImageKey, r.Method, r.TargetClass, r.Metric }).IsUnique();
        model.Entity<ClassMetricRow>().ToTable("class_metrics").HasIndex(r => new { r.RunId, r.Method, r.ClassIndex, r.Metric }).IsUnique();
        model.Entity<ImageSanityRow>().ToTable("image_sanity").HasIndex(r => new { r.RunId, r.ImageKey, r.Method, r.TargetClass, r.LayersRandomized }).IsUnique();
        model.Entity<SprayClusterRow>().ToTable("spray_clusters").HasIndex(r => new { r.RunId, r.Method, r.ClassIndex, r.ClusterIndex }).IsUnique();
        model.Entity<CausalCheckRow>().ToTable("causal_checks").HasIndex(r => new { r.RunId, r.ClassIndex, r.Region }).IsUnique();

        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase(property.Name));
    }

    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]))) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
