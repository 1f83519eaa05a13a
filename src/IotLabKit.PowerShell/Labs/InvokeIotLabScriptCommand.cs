using System.Management.Automation;
using System.Security;
using IotLabKit.Labs.Scripting;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Labs;

/// <summary>
/// Runs a lab's C# script (.csx) with the lab globals (the session's hub connection, device and Event Hubs
/// connection strings, the seed, a stop token) and shows its output in colour; -Background runs it as a job.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "IotLabScript")]
[OutputType(typeof(LabScriptJob))]
public sealed class InvokeIotLabScriptCommand : LabCmdlet
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The script file (.csx).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The script's arguments (its <c>Args</c>).</summary>
    [Parameter(Position = 1)]
    [Alias("Args")]
    public string[] ArgumentList { get; set; } = [];

    /// <summary>The device whose id and connection string the script gets (it must exist in the hub).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? DeviceId { get; set; }

    /// <summary>The seed the script's random numbers use (its <c>Seed</c>; default 0).</summary>
    [Parameter]
    public int Seed { get; set; }

    /// <summary>
    /// The Event Hubs-compatible endpoint's connection string for the script's <c>EventHubConnectionString</c>
    /// (default: the emulator this session started). Needed for a real hub.
    /// </summary>
    [Parameter]
    [SecureStringTransformation]
    public SecureString? EventHubConnectionString { get; set; }

    /// <summary>Runs the script in the background and returns its job (Receive-Job, Stop-Job).</summary>
    [Parameter]
    public SwitchParameter Background { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!File.Exists(path))
            Fail("ScriptNotFound", ErrorCategory.ObjectNotFound, $"The script '{path}' does not exist.", path);
        var connection = HubSession.Current;
        if (connection is null) WriteVerbose("Not connected to a hub: the script's connection strings are empty.");
        var hub = Await(ct => LabHub.BuildAsync(connection, DeviceId is null ? [] : [DeviceId],
            EventHubConnectionString is null ? null : SecretText.ToPlainText(EventHubConnectionString), ct));
        if (DeviceId is not null && connection is not null && !hub.DeviceConnectionStrings.ContainsKey(DeviceId))
            Fail("DeviceNotFound", ErrorCategory.ObjectNotFound,
                $"The device '{DeviceId}' does not exist in the hub (or has no symmetric key), so the script would get no connection string.",
                DeviceId, recommendedAction: $"Create it first: New-IotDevice -DeviceId {DeviceId}");

        var info = new LabScriptStartInfo(path, hub, DeviceId ?? "") { Args = ArgumentList, Seed = Seed, Background = Background };
        var run = Start(info);
        if (run is null) return;
        if (Background)
        {
            var job = new LabScriptJob(run, MyInvocation.Line.Trim());
            JobRepository.Add(job);
            WriteObject(job);
            return;
        }
        Follow(run);
    }

    private LabScriptRun? Start(LabScriptStartInfo info)
    {
        var progress = new ProgressRecord(1, "Invoke-IotLabScript", $"Compiling {System.IO.Path.GetFileName(info.Path)}");
        WriteProgress(progress);
        try
        {
            return LabScriptRun.Start(info);
        }
        catch (LabScriptCompilationException ex)
        {
            WriteCompilationErrors(ex);
            return null;
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }

    // Shows the script's lines as they come; Ctrl+C stops the script cleanly before the pipeline stops.
    private void Follow(LabScriptRun run)
    {
        using var watcher = new ScriptWatcher();
        watcher.Watch(run);
        try
        {
            while (true)
            {
                var done = run.Completion.IsCompleted;
                foreach (var (_, line) in watcher.TakeNewLines()) ShowLine(line);
                if (done) break;
                watcher.WaitForChange(TimeSpan.FromSeconds(1), CancelToken);
            }
        }
        catch (OperationCanceledException)
        {
            run.StopAsync(StopTimeout).GetAwaiter().GetResult();
            foreach (var (_, line) in watcher.TakeNewLines()) ShowLine(line);
            throw new PipelineStoppedException();
        }
        finally
        {
            LabScriptRegistry.Forget(run);
        }
        if (run.Failure is { } failure) WriteError(ScriptFailed(failure));
    }
}
