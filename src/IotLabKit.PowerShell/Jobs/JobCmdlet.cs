using System.Globalization;
using System.Management.Automation;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Jobs;

/// <summary>
/// What the job cmdlets share: the jobs client of the connection, and the one wait loop behind
/// <c>New-IotJob -Wait</c> and <c>Wait-IotJob</c> (read the job every poll interval, show its counts with
/// Write-Progress, stop when it is completed, failed or cancelled, or when the timeout passes).
/// </summary>
public abstract class JobCmdlet : HubCmdlet
{
    /// <summary>The poll interval when none is given: short, because the emulator is local.</summary>
    internal static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The jobs client of the connection.</summary>
    internal JobClient Jobs => Connection.Jobs;

    /// <summary>Reads the job until it ends or <paramref name="timeout"/> passes; the bool says it timed out.</summary>
    internal (JobResponse Job, bool TimedOut) WaitForEnd(string jobId, TimeSpan? timeout, TimeSpan pollInterval, int activityId)
    {
        var started = DateTime.UtcNow;
        var progress = new ProgressRecord(activityId, $"Job {jobId}", "Waiting for the job");
        try
        {
            while (true)
            {
                var job = Await(ct => Jobs.GetJobAsync(jobId, ct));
                ShowProgress(progress, job);
                if (JobInfo.IsFinishedStatus(job.Status)) return (job, false);
                var left = timeout is { } limit ? started + limit - DateTime.UtcNow : TimeSpan.MaxValue;
                if (left <= TimeSpan.Zero) return (job, true);
                // The hub has no push for job progress: polling is how every client (az --wait included) follows a job.
                var delay = left < pollInterval ? left : pollInterval;
                Await(ct => Task.Delay(delay, ct));
            }
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }

    private void ShowProgress(ProgressRecord progress, JobResponse job)
    {
        var s = job.DeviceJobStatistics ?? new DeviceJobStatistics();
        progress.Activity = $"Job {job.JobId} ({job.Type})";
        progress.StatusDescription = string.Create(CultureInfo.InvariantCulture,
            $"{job.Status}: {s.SucceededCount} succeeded, {s.FailedCount} failed, {s.PendingCount} pending, {s.RunningCount} running of {s.DeviceCount} devices");
        progress.PercentComplete = s.DeviceCount > 0 ? Math.Clamp((s.SucceededCount + s.FailedCount) * 100 / s.DeviceCount, 0, 100) : -1;
        progress.CurrentOperation = job.Status == JobStatus.Scheduled && job.StartTimeUtc is { } start
            ? $"Starts at {DeviceInfo.Local(start):G}"
            : null;
        WriteProgress(progress);
    }
}
