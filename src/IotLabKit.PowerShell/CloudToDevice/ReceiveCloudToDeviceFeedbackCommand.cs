using System.Diagnostics;
using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.CloudToDevice;

/// <summary>
/// Reads the hub's cloud-to-device feedback (<c>/messages/serviceBound/feedback</c>) and writes one object per
/// record; each batch is completed (removed from the hub) once its records are written. Stops after -Count records,
/// after -Timeout, or on Ctrl+C.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "CloudToDeviceFeedback")]
[OutputType(typeof(CloudToDeviceFeedbackInfo))]
public sealed class ReceiveCloudToDeviceFeedbackCommand : HubCmdlet
{
    /// <summary>Stop after this many records.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Count { get; set; }

    /// <summary>Stop after this long (seconds or a TimeSpan); without it (and -Count) the command reads until Ctrl+C.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        using var pump = new PipelinePump();
        var progress = new ProgressRecord(5, "Receive-CloudToDeviceFeedback", "Waiting for feedback");
        try
        {
            pump.Run(async ct =>
            {
                var receiver = Connection.Service.GetFeedbackReceiver();
                var written = 0;
                var clock = Stopwatch.StartNew();
                try
                {
                    while (Count is not { } max || written < max)
                    {
                        var left = Timeout is { } limit ? limit - clock.Elapsed : System.Threading.Timeout.InfiniteTimeSpan;
                        if (left != System.Threading.Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero) break;
                        pump.Post(() =>
                        {
                            progress.StatusDescription = $"Waiting for feedback ({written} record(s) so far, {clock.Elapsed.TotalSeconds:0} s)";
                            WriteProgress(progress);
                        });
                        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        if (left != System.Threading.Timeout.InfiniteTimeSpan) wait.CancelAfter(left);
                        FeedbackBatch batch;
                        try { batch = await receiver.ReceiveAsync(wait.Token).ConfigureAwait(false); }
                        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { break; }
                        foreach (var record in batch.Records)
                        {
                            var item = CloudToDeviceFeedbackInfo.From(record);
                            pump.Post(() => WriteObject(item));
                            written++;
                        }
                        await receiver.CompleteAsync(batch, CancellationToken.None).ConfigureAwait(false);
                    }
                }
                finally
                {
                    await receiver.DisposeAsync().ConfigureAwait(false);
                    pump.Post(() =>
                    {
                        progress.RecordType = ProgressRecordType.Completed;
                        WriteProgress(progress);
                    });
                }
                return written;
            }, CancelToken);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, Connection.HostName);
        }
    }
}
