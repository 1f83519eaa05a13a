using System.Management.Automation;
using IotLabKit.Labs.Scripting;
using IotLabKit.PowerShell.Errors;

namespace IotLabKit.PowerShell.Labs;

/// <summary>
/// A lab script running in the background as a PowerShell job (type <c>IotLabScript</c>), so Get-Job lists it,
/// Receive-Job returns the lines it printed, Wait-Job waits for it and Stop-Job stops it cleanly (its
/// CancellationToken is cancelled and the job waits for the script to return).
/// </summary>
public sealed class LabScriptJob : Job2
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private readonly LabScriptRun run;
    private readonly object gate = new();

    internal LabScriptJob(LabScriptRun run, string command) : base(command, run.Name)
    {
        this.run = run;
        PSJobTypeName = "IotLabScript";
        SetJobState(JobState.Running);
        // Lines written before these handlers existed (the script has already started) are copied once.
        lock (gate)
        {
            run.Output.LineWritten += OnLine;
            foreach (var line in run.Output.Lines) Output.Add(new PSObject(line.Text));
        }
        run.Ended += OnEnded;
        if (!run.IsRunning) OnEnded(run);
    }

    /// <summary>The script run behind the job (its full output, state and device).</summary>
    public LabScriptRun Run => run;

    /// <inheritdoc />
    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0;

    /// <inheritdoc />
    public override string Location => run.DeviceId is { Length: > 0 } device ? device : "localhost";

    /// <inheritdoc />
    public override string StatusMessage => run.State.ToString();

    /// <inheritdoc />
    public override void StartJob() { }

    /// <inheritdoc />
    public override void StartJobAsync() => OnStartJobCompleted(new System.ComponentModel.AsyncCompletedEventArgs(null, false, null));

    /// <inheritdoc />
    public override void StopJob() => StopJob(false, null);

    /// <inheritdoc />
    public override void StopJob(bool force, string? reason)
    {
        if (IsFinishedState(JobStateInfo.State)) return;
        SetJobState(JobState.Stopping);
        run.StopAsync(StopTimeout).GetAwaiter().GetResult();
        if (!run.IsRunning) OnEnded(run);
    }

    /// <inheritdoc />
    public override void StopJobAsync() => StopJobAsync(false, null);

    /// <inheritdoc />
    public override void StopJobAsync(bool force, string? reason)
    {
        _ = Task.Run(() =>
        {
            StopJob(force, reason);
            OnStopJobCompleted(new System.ComponentModel.AsyncCompletedEventArgs(null, false, null));
        });
    }

    /// <inheritdoc />
    public override void SuspendJob() => throw NotSupported("suspended");

    /// <inheritdoc />
    public override void SuspendJob(bool force, string? reason) => throw NotSupported("suspended");

    /// <inheritdoc />
    public override void SuspendJobAsync() => throw NotSupported("suspended");

    /// <inheritdoc />
    public override void SuspendJobAsync(bool force, string? reason) => throw NotSupported("suspended");

    /// <inheritdoc />
    public override void ResumeJob() => throw NotSupported("resumed");

    /// <inheritdoc />
    public override void ResumeJobAsync() => throw NotSupported("resumed");

    /// <inheritdoc />
    public override void UnblockJob() => throw NotSupported("unblocked");

    /// <inheritdoc />
    public override void UnblockJobAsync() => throw NotSupported("unblocked");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            run.Output.LineWritten -= OnLine;
            run.Ended -= OnEnded;
            if (run.IsRunning) run.StopAsync(StopTimeout).GetAwaiter().GetResult();
            LabScriptRegistry.Forget(run);
        }
        base.Dispose(disposing);
    }

    private void OnLine(ScriptLine line)
    {
        lock (gate) Output.Add(new PSObject(line.Text));
    }

    private void OnEnded(LabScriptRun ended)
    {
        lock (gate)
        {
            if (IsFinishedState(JobStateInfo.State)) return;
            if (ended.Failure is { } failure)
            {
                Error.Add(ErrorRecordFactory.Create("InvokeIotLabScript", "ScriptFailed", ErrorCategory.InvalidResult, failure.Message, failure.Path));
            }
            SetJobState(ended.State switch
            {
                LabScriptState.Failed => JobState.Failed,
                LabScriptState.Stopped => JobState.Stopped,
                _ => JobState.Completed,
            });
        }
    }

    private static bool IsFinishedState(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    private static PSNotSupportedException NotSupported(string what) => new($"A lab script job cannot be {what}; stop it with Stop-Job and start it again.");
}
