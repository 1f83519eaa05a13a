using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Jobs;

/// <summary>
/// Gets jobs: one by id, several by wildcard, or all of a type and status (the hub's job query, every page).
/// </summary>
[Cmdlet(VerbsCommon.Get, "IotJob")]
[OutputType(JobInfo.TypeName)]
public sealed class GetIotJobCommand : JobCmdlet
{
    /// <summary>The job id; wildcards (* ? [ ]) select several. Leave out for every job.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    [Alias("Id")]
    public string[]? JobId { get; set; }

    /// <summary>Only jobs of this type: ScheduleUpdateTwin or ScheduleDeviceMethod.</summary>
    [Parameter]
    [ValidateSet(nameof(JobType.ScheduleUpdateTwin), nameof(JobType.ScheduleDeviceMethod))]
    public JobType? Type { get; set; }

    /// <summary>Only jobs in this status: Queued, Scheduled, Running, Completed, Failed or Cancelled.</summary>
    [Parameter]
    [ValidateSet(nameof(JobStatus.Queued), nameof(JobStatus.Scheduled), nameof(JobStatus.Running), nameof(JobStatus.Completed),
        nameof(JobStatus.Failed), nameof(JobStatus.Cancelled))]
    public JobStatus? Status { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (JobId is null)
        {
            WriteAll(Query(), pattern: null);
            return;
        }
        foreach (var id in JobId)
        {
            try
            {
                if (WildcardPattern.ContainsWildcardCharacters(id))
                {
                    WriteAll(Query(), new WildcardPattern(id, WildcardOptions.IgnoreCase));
                    continue;
                }
                var job = Await(ct => Jobs.GetJobAsync(id, ct));
                if ((Type is null || job.Type == Type) && (Status is null || job.Status == Status)) WriteObject(JobInfo.From(job));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, id);
            }
        }
    }

    private List<JobResponse>? Query()
    {
        try
        {
            return Await(async ct =>
            {
                var all = new List<JobResponse>();
                await foreach (var job in Jobs.CreateQuery(Type, Status, 100).ReadAllAsync<JobResponse>(ct).ConfigureAwait(false)) all.Add(job);
                return all;
            });
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, null);
            return null;
        }
    }

    private void WriteAll(List<JobResponse>? jobs, WildcardPattern? pattern)
    {
        if (jobs is null) return;
        foreach (var job in jobs.Where(j => pattern is null || pattern.IsMatch(j.JobId)).OrderBy(j => j.CreatedTimeUtc).ThenBy(j => j.JobId, StringComparer.Ordinal))
            WriteObject(JobInfo.From(job));
    }
}
