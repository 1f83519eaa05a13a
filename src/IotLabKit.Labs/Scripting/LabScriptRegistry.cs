namespace IotLabKit.Labs.Scripting;

/// <summary>
/// Every lab script started in this process, so background scripts can be listed and are all stopped when the lab
/// ends or the module is removed.
/// </summary>
public static class LabScriptRegistry
{
    private static readonly object Gate = new();
    private static readonly List<LabScriptRun> Runs = [];

    /// <summary>Every run started and not forgotten, in start order.</summary>
    public static IReadOnlyList<LabScriptRun> All
    {
        get { lock (Gate) return Runs.ToList(); }
    }

    /// <summary>The runs still running.</summary>
    public static IReadOnlyList<LabScriptRun> Running => All.Where(r => r.IsRunning).ToList();

    internal static void Add(LabScriptRun run)
    {
        lock (Gate) Runs.Add(run);
    }

    /// <summary>Forgets an ended run.</summary>
    public static void Forget(LabScriptRun run)
    {
        lock (Gate) Runs.Remove(run);
    }

    /// <summary>Stops every running script (in parallel) and waits up to <paramref name="timeout"/>; returns those still running.</summary>
    public static IReadOnlyList<LabScriptRun> StopAll(TimeSpan timeout)
    {
        var running = Running;
        Task.WhenAll(running.Select(r => r.StopAsync(timeout))).GetAwaiter().GetResult();
        return running.Where(r => r.IsRunning).ToList();
    }
}
