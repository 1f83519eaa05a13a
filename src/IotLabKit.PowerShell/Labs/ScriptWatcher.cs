using IotLabKit.Labs.Scripting;

namespace IotLabKit.PowerShell.Labs;

/// <summary>
/// Follows running scripts for a cmdlet: which of their lines it has shown, and a signal raised whenever any of
/// them prints a line or ends, so the pipeline thread waits on that instead of polling.
/// </summary>
internal sealed class ScriptWatcher : IDisposable
{
    private readonly SemaphoreSlim changed = new(0);
    private readonly Dictionary<LabScriptRun, int> shown = [];

    /// <summary>Starts following <paramref name="run"/> (from its first line).</summary>
    public void Watch(LabScriptRun run)
    {
        if (shown.ContainsKey(run)) return;
        shown[run] = 0;
        run.Output.LineWritten += OnChange;
        run.Ended += OnEnded;
    }

    /// <summary>Stops following <paramref name="run"/>.</summary>
    public void Forget(LabScriptRun run)
    {
        if (!shown.Remove(run)) return;
        run.Output.LineWritten -= OnChange;
        run.Ended -= OnEnded;
    }

    /// <summary>The runs followed.</summary>
    public IReadOnlyCollection<LabScriptRun> Runs => shown.Keys;

    /// <summary>The lines not yet taken, per run, in order; marks them taken.</summary>
    public IEnumerable<(LabScriptRun Run, ScriptLine Line)> TakeNewLines()
    {
        foreach (var run in shown.Keys.ToList())
        {
            var lines = run.Output.LinesFrom(shown[run]);
            shown[run] += lines.Count;
            foreach (var line in lines) yield return (run, line);
        }
    }

    /// <summary>Waits until a followed script prints or ends, or <paramref name="timeout"/> passes.</summary>
    public bool WaitForChange(TimeSpan timeout, CancellationToken cancellationToken) => changed.Wait(timeout, cancellationToken);

    private void OnChange(ScriptLine _) => Signal();

    private void OnEnded(LabScriptRun _) => Signal();

    // Raised on the script's own thread: a watcher that has just gone away must not fail the script's Console.Write.
    private void Signal()
    {
        try { changed.Release(); }
        catch (ObjectDisposedException) { }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var run in shown.Keys.ToList()) Forget(run);
        changed.Dispose();
    }
}
