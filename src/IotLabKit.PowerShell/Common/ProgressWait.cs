using System.Diagnostics;
using System.Management.Automation;

namespace IotLabKit.PowerShell.Common;

/// <summary>
/// Waits for one long call off the pipeline thread and, once it has taken longer than a moment, shows progress
/// every second (written on the pipeline thread by <see cref="PipelinePump"/>), completing the bar at the end.
/// </summary>
internal static class ProgressWait
{
    /// <summary>
    /// Runs <paramref name="work"/>; after <paramref name="showAfter"/> and then every second, sets the record's status
    /// and percentage from <paramref name="describe"/> (given the time waited) and writes it with <paramref name="write"/>.
    /// </summary>
    public static T Run<T>(Func<CancellationToken, Task<T>> work, ProgressRecord progress, TimeSpan showAfter,
        Func<TimeSpan, (string Status, int Percent)> describe, Action<ProgressRecord> write, CancellationToken cancellationToken)
    {
        using var pump = new PipelinePump();
        return pump.Run(async ct =>
        {
            var call = work(ct);
            var shown = false;
            var started = Stopwatch.StartNew();
            while (await Task.WhenAny(call, Task.Delay(shown ? TimeSpan.FromSeconds(1) : showAfter, ct)).ConfigureAwait(false) != call)
            {
                ct.ThrowIfCancellationRequested();
                shown = true;
                var (status, percent) = describe(started.Elapsed);
                pump.Post(() =>
                {
                    progress.StatusDescription = status;
                    progress.PercentComplete = Math.Clamp(percent, 0, 99);
                    write(progress);
                });
            }
            if (shown)
                pump.Post(() =>
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    write(progress);
                });
            return await call.ConfigureAwait(false);
        }, cancellationToken);
    }
}
