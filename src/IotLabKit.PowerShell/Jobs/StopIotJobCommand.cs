using System.Management.Automation;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Jobs;

/// <summary>
/// Cancels queued, scheduled or running jobs: devices not reached yet are not touched. A job that already ended is
/// left as it is, with a warning.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "IotJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(JobInfo.TypeName)]
public sealed class StopIotJobCommand : JobCmdlet
{
    /// <summary>The job to cancel.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    [Alias("Id")]
    public string[] JobId { get; set; } = [];

    /// <summary>Cancels without asking for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Outputs the job after the cancel.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var id in JobId)
        {
            if (!ShouldProcessUnlessForced(Force, id, "Cancel job")) continue;
            try
            {
                var before = Await(ct => Jobs.GetJobAsync(id, ct));
                var job = JobInfo.IsFinishedStatus(before.Status) ? before : Await(ct => Jobs.CancelJobAsync(id, ct));
                if (job.Status != JobStatus.Cancelled)
                    WriteWarning($"The job '{id}' had already ended ({job.Status}); nothing was cancelled.");
                else
                    WriteVerbose($"Cancelled job '{id}': {job.DeviceJobStatistics}.");
                if (PassThru) WriteObject(JobInfo.From(job));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, id);
            }
        }
    }
}
