using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;

namespace IotLabKit.PowerShell.Jobs;

/// <summary>
/// Waits until jobs are completed, failed or cancelled, showing their progress, and outputs them as they end.
/// Takes jobs from the pipeline: <c>New-IotJob … | Wait-IotJob</c>.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "IotJob")]
[OutputType(JobInfo.TypeName)]
public sealed class WaitIotJobCommand : JobCmdlet
{
    private int _activity;

    /// <summary>The job to wait for.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    [Alias("Id")]
    public string[] JobId { get; set; } = [];

    /// <summary>Gives up on a job after this long (a number means seconds); the job goes on running. Default: no limit.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <summary>How often to read the job (default half a second). A number means seconds.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? PollInterval { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var id in JobId)
        {
            try
            {
                var (job, timedOut) = WaitForEnd(id, Timeout, PollInterval ?? DefaultPollInterval, ++_activity);
                if (timedOut)
                {
                    WriteError(Errors.ErrorRecordFactory.Create(CommandId, "Timeout", ErrorCategory.OperationTimeout,
                        $"The job '{id}' is still {job.Status} after {Timeout}: {job.DeviceJobStatistics}. It goes on running; wait again or Stop-IotJob it.",
                        id));
                    continue;
                }
                WriteObject(JobInfo.From(job));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, id);
            }
        }
    }
}
