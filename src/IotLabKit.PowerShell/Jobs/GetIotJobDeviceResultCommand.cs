using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Jobs;

/// <summary>
/// Gets each device's part of a job — status, the device's answer to a direct method, or the error — through the
/// hub's <c>SELECT * FROM devices.jobs</c> query, every page. <c>Get-IotJob x | Get-IotJobDeviceResult -Status Failed</c>.
/// </summary>
[Cmdlet(VerbsCommon.Get, "IotJobDeviceResult")]
[OutputType(DeviceJobInfo.TypeName)]
public sealed class GetIotJobDeviceResultCommand : JobCmdlet
{
    /// <summary>The job whose device results to get.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    [Alias("Id")]
    public string JobId { get; set; } = "";

    /// <summary>Only results in this status: Pending, Running, Completed, Failed or Canceled.</summary>
    [Parameter]
    [ValidateSet(nameof(DeviceJobStatus.Pending), nameof(DeviceJobStatus.Scheduled), nameof(DeviceJobStatus.Running),
        nameof(DeviceJobStatus.Completed), nameof(DeviceJobStatus.Failed), nameof(DeviceJobStatus.Canceled))]
    public DeviceJobStatus? Status { get; set; }

    /// <summary>Only these devices; wildcards allowed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? DeviceId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var sql = $"SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '{Escape(JobId)}'";
        if (Status is { } status) sql += $" AND devices.jobs.status = '{status.ToString().ToLowerInvariant()}'";
        var pattern = DeviceId is null ? null : new WildcardPattern(DeviceId, WildcardOptions.IgnoreCase);
        WriteVerbose(sql);
        try
        {
            // Read every page first: output must come from the pipeline thread, not the query's continuations.
            var results = Await(async ct =>
            {
                var all = new List<DeviceJob>();
                await foreach (var job in Registry.CreateQuery(sql, 1000).ReadAllAsync<DeviceJob>(ct).ConfigureAwait(false))
                {
                    if (pattern is null || pattern.IsMatch(job.DeviceId)) all.Add(job);
                }
                return all;
            });
            foreach (var job in results.OrderBy(j => j.DeviceId, StringComparer.Ordinal)) WriteObject(DeviceJobInfo.From(job));
            var found = results.Count;
            if (found == 0 && Status is null && DeviceId is null)
            {
                // A job with no device results: say whether it exists, so a typo is not silent.
                var job = Await(ct => Jobs.GetJobAsync(JobId, ct));
                WriteVerbose($"Job '{JobId}' is {job.Status} and has no device results yet.");
            }
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, JobId);
        }
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
}
