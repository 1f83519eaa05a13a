using Microsoft.CodeAnalysis.Scripting;

namespace IotLabKit.Labs.Scripting;

/// <summary>Where a script run is.</summary>
public enum LabScriptState
{
    /// <summary>Running.</summary>
    Running,

    /// <summary>Ended by itself.</summary>
    Completed,

    /// <summary>Ended because it was asked to stop.</summary>
    Stopped,

    /// <summary>Threw (see <see cref="LabScriptRun.Failure"/>).</summary>
    Failed,
}

/// <summary>What to run: a script file, its arguments, and the hub facts its globals carry.</summary>
public sealed record LabScriptStartInfo(string Path, LabHubContext Hub, string DeviceId)
{
    /// <summary>The script's arguments (placeholders already filled in).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>The seed scripts use for <c>new Random(Seed)</c>.</summary>
    public int Seed { get; init; }

    /// <summary>True when the runner lets it keep running after the task (shown in the run's name).</summary>
    public bool Background { get; init; }
}

/// <summary>
/// One running (or ended) lab script: its own output, its state, and a clean stop — the stop cancels the script's
/// <see cref="LabGlobals.CancellationToken"/> and waits for it to return.
/// </summary>
public sealed class LabScriptRun
{
    private static int lastId;
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile LabScriptState state = LabScriptState.Running;

    private LabScriptRun(LabScriptStartInfo info)
    {
        Id = Interlocked.Increment(ref lastId);
        Info = info;
        Name = System.IO.Path.GetFileName(info.Path);
        StartTime = DateTime.Now;
    }

    /// <summary>A number unique in this process.</summary>
    public int Id { get; }

    /// <summary>The script's file name.</summary>
    public string Name { get; }

    /// <summary>What was started.</summary>
    public LabScriptStartInfo Info { get; }

    /// <summary>The script's full path.</summary>
    public string Path => Info.Path;

    /// <summary>The device the script's globals name.</summary>
    public string DeviceId => Info.DeviceId;

    /// <summary>Where it is.</summary>
    public LabScriptState State => state;

    /// <summary>True while it runs.</summary>
    public bool IsRunning => state == LabScriptState.Running;

    /// <summary>Everything it printed, line by line.</summary>
    public ScriptOutput Output { get; } = new();

    /// <summary>When it started (local time).</summary>
    public DateTime StartTime { get; }

    /// <summary>When it ended, or null.</summary>
    public DateTime? EndTime { get; private set; }

    /// <summary>What it threw, with the script's own frames, when <see cref="State"/> is Failed.</summary>
    public LabScriptRuntimeException? Failure { get; private set; }

    /// <summary>Completes when the script has ended, whatever the way.</summary>
    public Task Completion => ended.Task;

    /// <summary>Raised once when the script ends.</summary>
    public event Action<LabScriptRun>? Ended;

    /// <summary>Compiles and starts a script on its own task. Compile errors are thrown here, before anything runs.</summary>
    /// <exception cref="LabScriptCompilationException">The script does not compile.</exception>
    public static LabScriptRun Start(LabScriptStartInfo info)
    {
        var script = LabScriptCompiler.Compile(info.Path);
        var run = new LabScriptRun(info with { Path = System.IO.Path.GetFullPath(info.Path) });
        LabScriptRegistry.Add(run);
        _ = Task.Run(() => run.RunAsync(script));
        return run;
    }

    /// <summary>Asks the script to stop (cancels its token) without waiting.</summary>
    public void RequestStop()
    {
        try { stop.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Asks the script to stop and waits up to <paramref name="timeout"/>; true when it has ended.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        RequestStop();
        var finished = await Task.WhenAny(Completion, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == Completion;
    }

    private async Task RunAsync(Script<object> script)
    {
        // Entered on this task only: the script's own tasks, timers and client callbacks inherit it.
        ScriptConsole.Enter(Output);
        if (Info.Hub.CaCertificatePath is { } ca)
            Environment.SetEnvironmentVariable(IotLabKit.Protocol.EmulatorTrust.CaEnvironmentVariable, ca);
        var globals = new LabGlobals(Info.Args.ToArray(), Info.Hub, Info.DeviceId, Info.Seed, stop.Token);
        var final = LabScriptState.Completed;
        try
        {
            var result = await script.RunAsync(globals, _ => true, CancellationToken.None).ConfigureAwait(false);
            if (result.Exception is { } thrown) final = Classify(thrown);
        }
        catch (Exception thrown)
        {
            final = Classify(thrown);
        }
        if (final == LabScriptState.Completed && stop.IsCancellationRequested) final = LabScriptState.Stopped;
        Output.Flush();
        EndTime = DateTime.Now;
        state = final;
        ended.TrySetResult();
        Ended?.Invoke(this);
    }

    private LabScriptState Classify(Exception thrown)
    {
        if (thrown is AggregateException { InnerExceptions.Count: 1 } aggregate) thrown = aggregate.InnerExceptions[0];
        // A script that ends by letting its CancellationToken throw has stopped cleanly.
        if (thrown is OperationCanceledException && stop.IsCancellationRequested) return LabScriptState.Stopped;
        Failure = new LabScriptRuntimeException(Info.Path, thrown);
        return LabScriptState.Failed;
    }
}
