using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using IotLabKit.Labs.Model;
using IotLabKit.Labs.Scripting;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Output;
using IotLabKit.PowerShell.Quiz;
using IotLabKit.PowerShell.Session;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Labs;

/// <summary>
/// Walks a student through a lab: for each task it shows the instructions, runs the action (the setup, a C# script,
/// a PowerShell command, stopping a background script), shows the output, polls the checkpoint, then asks
/// Continue / Repeat / Skip / Quit; -Auto runs everything unattended, -Step resumes at a task.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "IotLab", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(LabRunInfo))]
public sealed class StartIotLabCommand : LabCmdlet
{
    private const int ProgressId = 2;
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly Dictionary<string, LabScriptRun> background = new(StringComparer.OrdinalIgnoreCase);
    private readonly ScriptWatcher watcher = new();
    private Lab lab = null!;
    private LabHubContext? hub;
    private int seed;

    /// <summary>The lab's number (15, 16).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int Lab { get; set; }

    /// <summary>The task to start at ("3.2", as Get-IotLab -Lab shows); earlier setup and background scripts are redone first.</summary>
    [Parameter(Position = 1)]
    [ValidatePattern(@"^\d+\.\d+$")]
    public string? Step { get; set; }

    /// <summary>Runs every task unattended, with no prompts (optional exercises only with -IncludeOptional).</summary>
    [Parameter]
    public SwitchParameter Auto { get; set; }

    /// <summary>With -Auto, also runs the optional exercises (course material beyond the lab).</summary>
    [Parameter]
    public SwitchParameter IncludeOptional { get; set; }

    /// <summary>The seed the scripts use instead of the lab's own (the same seed repeats a run).</summary>
    [Parameter]
    public int? Seed { get; set; }

    /// <summary>Folders to search for labs before IOTLABKIT_LABS_PATH and the module's own labs.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? LabPath { get; set; }

    /// <summary>
    /// Leaves the background scripts running when the lab ends, as jobs (Get-Job, Receive-Job, Stop-Job), as the
    /// course leaves its apps running; without it they stop when the lab ends.
    /// </summary>
    [Parameter]
    public SwitchParameter KeepRunning { get; set; }

    /// <summary>The Event Hubs-compatible endpoint's connection string, for a real hub (the emulator's is known).</summary>
    [Parameter]
    [SecureStringTransformation]
    public SecureString? EventHubConnectionString { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        lab = ResolveLab(Lab, LabPath);
        seed = Seed ?? lab.Seed;
        var tasks = lab.Exercises.SelectMany(e => e.Tasks.Select(t => (Exercise: e, Task: t))).ToList();
        var start = 0;
        if (Step is not null)
        {
            start = tasks.FindIndex(t => t.Task.Id == Step);
            if (start < 0)
                Fail("StepNotFound", ErrorCategory.ObjectNotFound,
                    $"Lab {lab.Id} has no step {Step}. Its steps are {string.Join(", ", tasks.Select(t => t.Task.Id))}.", Step,
                    recommendedAction: $"Run Get-IotLab -Lab {lab.Id} to see the steps.");
        }
        if (!Auto && InteractiveHost.WhyNot(Host, Environment.GetCommandLineArgs(), Console.IsInputRedirected) is { } whyNot)
            FailNotInteractive(whyNot, null);
        if (!ShouldProcess($"Lab {lab.Id}: {lab.Title}", Step is null ? "Run the lab" : $"Run the lab from step {Step}")) return;

        var run = new LabRunInfo { Lab = lab.Id, Title = lab.Title, Seed = seed };
        var handOver = false;
        try
        {
            Show($"Lab {lab.Id}: {lab.Title}", ConsoleColor.Yellow);
            if (lab.Summary is { } summary) Show(summary);
            Show(Auto ? "Running unattended (-Auto)." : "After each task choose Continue, Repeat, Skip (the next task) or Quit. Ctrl+C stops.");
            if (start > 0) Replay(tasks.Take(start).Select(t => t.Task), run);
            run.Completed = Walk(tasks, start, run);
            handOver = KeepRunning;
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            if (handOver) HandOverAsJobs();
            else StopBackground(null);
            Progress(null, null);
        }
        Show("");
        Show(run.Completed ? $"Lab {lab.Id} finished: {run.CheckpointsPassed} checkpoint(s) passed, {run.CheckpointsFailed} failed." : $"Lab {lab.Id} stopped. Resume with: Start-IotLab -Lab {lab.Id} -Step <step>",
            run.CheckpointsFailed == 0 ? ConsoleColor.Green : ConsoleColor.Yellow);
        WriteObject(run.ToPSObject());
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) watcher.Dispose();
        base.Dispose(disposing);
    }

    private bool Walk(List<(LabExercise Exercise, LabTask Task)> tasks, int start, LabRunInfo run)
    {
        LabExercise? current = null;
        var i = start;
        while (i < tasks.Count)
        {
            var (exercise, task) = tasks[i];
            if (!ReferenceEquals(exercise, current))
            {
                current = exercise;
                Show("");
                var marked = exercise.Optional && !exercise.Title.Contains("optional", StringComparison.OrdinalIgnoreCase);
                Show($"Exercise {exercise.Number}: {exercise.Title}" + (marked ? " (optional)" : ""), ConsoleColor.Cyan);
                var resumedInside = i == start && Step is not null;
                if (exercise.Optional && !IncludeOptional && !resumedInside && !WantOptional(exercise))
                {
                    Show(Auto ? "Skipped: an optional exercise (add -IncludeOptional to run it)." : "Skipped.");
                    foreach (var skipped in exercise.Tasks) run.Tasks.Add(new LabTaskResult { Step = skipped.Id, Title = skipped.Title, Outcome = "Skipped" });
                    i += exercise.Tasks.Count - (i - tasks.FindIndex(t => ReferenceEquals(t.Exercise, exercise)));
                    continue;
                }
            }
            var result = RunTask(task);
            run.Tasks.Add(result);
            if (Auto)
            {
                i++;
                continue;
            }
            switch (AskNext(task, i == tasks.Count - 1))
            {
                case NextChoice.Repeat:
                    break;
                case NextChoice.Skip when i + 1 < tasks.Count:
                    var next = tasks[i + 1].Task;
                    Show($"Skipped task {next.Id}: {next.Title}");
                    run.Tasks.Add(new LabTaskResult { Step = next.Id, Title = next.Title, Outcome = "Skipped" });
                    i += 2;
                    break;
                case NextChoice.Quit:
                    return false;
                default:
                    i++;
                    break;
            }
        }
        return true;
    }

    private LabTaskResult RunTask(LabTask task)
    {
        var result = new LabTaskResult { Step = task.Id, Title = task.Title, Check = task.Checkpoint?.Check };
        Show("");
        Show($"Task {task.Id}: {task.Title}", ConsoleColor.Cyan);
        ShowInstructions(task);
        if (task.Action is { } action && !RunAction(action, out var problem))
        {
            result.Outcome = "Failed";
            result.Message = problem;
            if (task.Checkpoint is not null) result.Passed = false;
            return result;
        }
        if (task.Checkpoint is { } checkpoint)
        {
            var (passed, message) = RunCheckpoint(checkpoint);
            result.Passed = passed;
            result.Message = message;
        }
        Pump();
        return result;
    }

    // -Step: the hub setup and the background scripts earlier tasks leave running, so the resumed task finds them.
    private void Replay(IEnumerable<LabTask> earlier, LabRunInfo run)
    {
        var list = earlier.ToList();
        Show($"Resuming at step {Step}: redoing the setup and the background scripts of the earlier steps.");
        var stoppedLater = new HashSet<LabTask>();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Action is not { Kind: LabActionKind.Script, Background: true } started) continue;
            for (var j = i + 1; j < list.Count; j++)
            {
                if (list[j].Action is { Kind: LabActionKind.Stop } stop && (stop.Script is null || SameScript(stop.Script, started.Script!)))
                {
                    stoppedLater.Add(list[i]);
                    break;
                }
            }
        }
        foreach (var task in list)
        {
            var replay = task.Action is { Kind: LabActionKind.Setup } || (task.Action is { Kind: LabActionKind.Script, Background: true } && !stoppedLater.Contains(task));
            if (!replay) continue;
            Show($"Step {task.Id}: {task.Title}", ConsoleColor.DarkCyan);
            var ok = RunAction(task.Action!, out var problem);
            run.Tasks.Add(new LabTaskResult { Step = task.Id, Title = task.Title, Outcome = ok ? "Replayed" : "Failed", Message = problem });
        }
    }

    private bool RunAction(LabAction action, out string? problem)
    {
        problem = null;
        switch (action.Kind)
        {
            case LabActionKind.Setup:
                return RunSetup(action, out problem);
            case LabActionKind.Script:
                return RunScript(action, out problem);
            case LabActionKind.PowerShell:
                return RunPowerShell(action.Command!, out problem);
            case LabActionKind.Stop:
                StopBackground(action.Script);
                return true;
            default:
                return true;
        }
    }

    private bool RunSetup(LabAction action, out string? problem)
    {
        problem = null;
        var interval = action.EvaluationInterval;
        if (HubSession.Current is null)
        {
            Show("No hub is connected: starting the embedded IoT Hub emulator (in memory).");
            var command = "Start-IotHubEmulator -InMemory -Port 0"
                + (interval is { } i ? $" -ConfigurationEvaluationInterval {i.TotalSeconds.ToString(CultureInfo.InvariantCulture)}" : "");
            Show("PS> " + command, ConsoleColor.DarkGray);
            InvokeCommand.InvokeScript(command);
        }
        else if (interval is { } wanted && HubSession.Emulator is { HasExited: false } emulator && HubSession.IsConnectedTo(emulator)
                 && emulator.Options.ConfigurationEvaluationInterval != wanted)
        {
            Show($"This lab wants automatic configurations evaluated every {Describe(wanted)}, but the emulator was started without that setting.", ConsoleColor.Yellow);
            Show($"The checks ask the emulator to evaluate at once; to match the lab, restart it: Start-IotHubEmulator -Force -InMemory -ConfigurationEvaluationInterval {wanted.TotalSeconds}", ConsoleColor.Yellow);
        }
        var connection = HubSession.Current;
        if (connection is null)
        {
            problem = "No hub: the emulator did not start. " + Errors.ErrorRecordFactory.ConnectHint;
            Show(problem, ConsoleColor.Red);
            return false;
        }
        Show($"Hub: {connection.HostName} ({(connection.IsEmulator ? "IotLabKit emulator" : "IoT hub")})");
        foreach (var id in lab.Devices)
        {
            var existing = Await(ct => connection.Registry.GetDeviceAsync(id, ct));
            if (existing is not null)
            {
                Show($"Device {id}: Already exists");
                continue;
            }
            Await(ct => connection.Registry.AddDeviceAsync(new Device(id), ct));
            Show($"Device {id}: created");
        }
        hub = null;
        var context = Hub();
        Show("");
        Show("Configuration Data:", ConsoleColor.Yellow);
        Show("------------------------------------------------");
        Show("Service connection string (iothubowner):");
        Show(context.ServiceConnectionString);
        foreach (var id in lab.Devices)
        {
            Show($"Device connection string ({id}):");
            Show(context.DeviceConnectionStrings.TryGetValue(id, out var cs) ? cs : "(none: the device has no symmetric key)");
        }
        Show("Event Hub-compatible endpoint:");
        Show(context.EventHubsCompatibleEndpoint is { Length: > 0 } endpoint ? endpoint : "(unknown: give -EventHubConnectionString for a real hub)");
        Show("Event Hub-compatible path:");
        Show(context.EventHubsCompatiblePath);
        Show("Service policy primary key:");
        Show(context.IotHubSasKey);
        Show("------------------------------------------------");
        if (interval is { } asked && connection.IsEmulator)
        {
            // The interval is known only for the emulator this session started; another one was started elsewhere.
            var own = HubSession.Emulator is { HasExited: false } emulator && HubSession.IsConnectedTo(emulator) ? emulator.Options.ConfigurationEvaluationInterval ?? TimeSpan.FromMinutes(5) : (TimeSpan?)null;
            Show(own is { } actual
                ? $"Automatic device configurations: this emulator evaluates them right after each change and then every {Describe(actual)}."
                : $"Automatic device configurations: this lab expects the emulator to evaluate them every {Describe(asked)} (Start-IotHubEmulator -ConfigurationEvaluationInterval {asked.TotalSeconds.ToString(CultureInfo.InvariantCulture)}).",
                ConsoleColor.Yellow);
            Show("A real IoT hub evaluates them about every 5 minutes, so there the portal's counts (targeted, applied, custom metrics) can take that long to move.", ConsoleColor.Yellow);
        }
        return true;
    }

    private bool RunScript(LabAction action, out string? problem)
    {
        problem = null;
        var deviceId = action.Device ?? lab.Devices[0];
        var context = Hub();
        if (HubSession.Current is not null && !context.DeviceConnectionStrings.ContainsKey(deviceId))
        {
            hub = null;
            context = Hub();
        }
        if (action.Background && background.TryGetValue(action.Script!, out var previous) && previous.IsRunning)
        {
            Show($"Restarting {previous.Name}.");
            StopBackground(action.Script);
        }
        var path = lab.PathOf(action.Script!);
        var info = new LabScriptStartInfo(path, context, deviceId)
        {
            Args = LabScriptArguments.Expand(action.Args, context, deviceId),
            Seed = seed,
            Background = action.Background,
        };
        Show($"Running {Path.GetFileName(path)}" + (action.Background ? " in the background" : "") + $" (device {deviceId})", ConsoleColor.DarkGray);
        LabScriptRun run;
        Progress("Compiling " + Path.GetFileName(path), null);
        try
        {
            run = LabScriptRun.Start(info);
        }
        catch (LabScriptCompilationException ex)
        {
            foreach (var error in ex.Errors)
            {
                foreach (var line in error.ToString().Split('\n')) Show(line.TrimEnd('\r'), ConsoleColor.Red);
            }
            WriteCompilationErrors(ex);
            problem = ex.Message;
            return false;
        }
        finally
        {
            Progress(null, null);
        }
        watcher.Watch(run);
        if (action.Background)
        {
            background[action.Script!] = run;
            if (action.WaitForOutput is not { } text) return true;
            var found = run.Output.WaitForLineAsync(text, CancelToken);
            if (WaitUntil(() => found.IsCompleted || !run.IsRunning, action.Timeout, $"Waiting for {run.Name}", $"for a line with '{text}'") && found.IsCompletedSuccessfully)
                return true;
            problem = run.IsRunning
                ? $"{run.Name} did not print '{text}' within {action.Timeout.TotalSeconds:0} s."
                : $"{run.Name} ended ({run.State}) before it printed '{text}'." + (run.Failure is { } f ? " " + f.Message : "");
            Show(problem, ConsoleColor.Red);
            return false;
        }
        try
        {
            if (!WaitUntil(() => run.Completion.IsCompleted, action.Timeout, $"Running {run.Name}", "until it ends"))
            {
                run.StopAsync(StopTimeout).GetAwaiter().GetResult();
                Pump();
                problem = $"{run.Name} did not finish within {action.Timeout.TotalSeconds:0} s and was stopped.";
                Show(problem, ConsoleColor.Red);
                return false;
            }
            Pump();
            if (run.Failure is { } failure)
            {
                foreach (var line in failure.Message.Split('\n')) Show(line.TrimEnd('\r'), ConsoleColor.Red);
                WriteError(ScriptFailed(failure));
                problem = failure.Message;
                return false;
            }
            return true;
        }
        finally
        {
            if (run.IsRunning) run.RequestStop();
            watcher.Forget(run);
            IotLabKit.Labs.Scripting.LabScriptRegistry.Forget(run);
        }
    }

    private bool RunPowerShell(string command, out string? problem)
    {
        problem = null;
        Show("PS> " + command, ConsoleColor.DarkGray);
        try
        {
            // Errors merged into the output so they show where they happened, in red, and fail the action.
            var output = InvokeCommand.InvokeScript(false, ScriptBlock.Create("& {\n" + command + "\n} 2>&1"), null);
            var format = ScriptBlock.Create("param($Item) $Item | Out-String -Stream -Width 120");
            foreach (var item in output)
            {
                var error = item?.BaseObject as ErrorRecord;
                if (error is not null) problem ??= $"The command failed: {error}";
                foreach (var line in InvokeCommand.InvokeScript(false, format, null, item))
                {
                    if (line?.BaseObject is string text && text.Length > 0) Show(text, error is null ? null : ConsoleColor.Red);
                }
            }
            return problem is null;
        }
        catch (RuntimeException ex) when (ex is not PipelineStoppedException)
        {
            problem = $"The command failed: {ex.Message}";
            Show(problem, ConsoleColor.Red);
            return false;
        }
        finally
        {
            Pump();
        }
    }

    private (bool Passed, string Message) RunCheckpoint(LabCheckpoint checkpoint)
    {
        var checks = Path.Combine(lab.Directory, $"Lab{lab.Id}.Checks.ps1");
        if (!File.Exists(checks))
        {
            var missing = $"The lab has no checks file ({checks}), so {checkpoint.Check} cannot run.";
            Show("✗ " + missing, ConsoleColor.Red);
            return (false, missing);
        }
        if (checkpoint.LookFor is { } lookFor) Show("Look for: " + lookFor);
        // A new scope each time: the checks' functions do not leak into the student's session.
        var block = ScriptBlock.Create("param($ChecksPath, $Check, $DeviceId, $DeviceIds) . $ChecksPath; & $Check -DeviceId $DeviceId -DeviceIds $DeviceIds");
        var clock = Stopwatch.StartNew();
        var message = "";
        while (true)
        {
            bool passed;
            try
            {
                var output = InvokeCommand.InvokeScript(true, block, null, checks, checkpoint.Check, lab.Devices[0], lab.Devices.ToArray());
                var result = output.LastOrDefault(o => o?.Properties["Passed"] is not null);
                passed = result is not null && LanguagePrimitives.IsTrue(result.Properties["Passed"].Value);
                message = result?.Properties["Message"]?.Value?.ToString() ?? $"{checkpoint.Check} returned no result.";
            }
            catch (RuntimeException ex) when (ex is not PipelineStoppedException)
            {
                passed = false;
                message = $"{checkpoint.Check} could not run: {ex.Message}";
                // A check that does not exist will not appear by waiting.
                if (ex is CommandNotFoundException) return Report(false, message, checkpoint);
            }
            if (passed) return Report(true, message, checkpoint);
            var left = checkpoint.Timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero) return Report(false, message, checkpoint);
            var next = left < CheckInterval ? left : CheckInterval;
            WaitUntil(() => false, next, $"Checking: {checkpoint.Check}", $"{message} ({clock.Elapsed.TotalSeconds:0} of {checkpoint.Timeout.TotalSeconds:0} s)", checkpoint.Timeout, clock);
        }
    }

    private (bool, string) Report(bool passed, string message, LabCheckpoint checkpoint)
    {
        Pump();
        Progress(null, null);
        Show((passed ? "✓ " : "✗ ") + message, passed ? ConsoleColor.Green : ConsoleColor.Red);
        if (!passed && checkpoint.IfFails is { } ifFails) Show("If it fails: " + ifFails, ConsoleColor.Yellow);
        return (passed, message);
    }

    // Waits for a condition, showing script lines as they come and a progress bar; false when the time ran out.
    private bool WaitUntil(Func<bool> done, TimeSpan timeout, string activity, string status, TimeSpan? total = null, Stopwatch? since = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Pump();
            if (done()) return true;
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero) return false;
            var overall = total ?? timeout;
            var elapsed = since?.Elapsed ?? clock.Elapsed;
            Progress(activity, status, (int)Math.Clamp(100 * elapsed.TotalSeconds / Math.Max(1, overall.TotalSeconds), 0, 99));
            watcher.WaitForChange(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), CancelToken);
        }
    }

    private void StopBackground(string? script)
    {
        var stopping = background.Where(b => script is null || SameScript(b.Key, script)).ToList();
        if (stopping.Count == 0)
        {
            if (script is not null) Show($"{Path.GetFileName(script)} is not running.");
            return;
        }
        var running = stopping.Where(s => s.Value.IsRunning).Select(s => s.Value).ToList();
        if (running.Count > 0)
        {
            Progress("Stopping " + string.Join(", ", running.Select(r => r.Name)), "waiting for the scripts to close their clients");
            Task.WhenAll(running.Select(r => r.StopAsync(StopTimeout))).GetAwaiter().GetResult();
            Progress(null, null);
        }
        Pump();
        foreach (var (key, run) in stopping)
        {
            background.Remove(key);
            watcher.Forget(run);
            IotLabKit.Labs.Scripting.LabScriptRegistry.Forget(run);
            Show(run.IsRunning ? $"{run.Name} did not stop within {StopTimeout.TotalSeconds:0} s." : $"Stopped {run.Name}.", run.IsRunning ? ConsoleColor.Red : ConsoleColor.DarkGray);
        }
    }

    private void HandOverAsJobs()
    {
        Pump();
        foreach (var (key, run) in background.ToList())
        {
            background.Remove(key);
            watcher.Forget(run);
            if (!run.IsRunning)
            {
                IotLabKit.Labs.Scripting.LabScriptRegistry.Forget(run);
                continue;
            }
            var job = new LabScriptJob(run, $"Start-IotLab -Lab {lab.Id}: {run.Name}");
            JobRepository.Add(job);
            Show($"{run.Name} keeps running as job {job.Id}: Receive-Job {job.Id} shows its output, Stop-Job {job.Id} stops it.", ConsoleColor.DarkGray);
        }
    }

    private static bool SameScript(string a, string b) =>
        string.Equals(a.Replace('\\', '/'), b.Replace('\\', '/'), StringComparison.OrdinalIgnoreCase);

    private LabHubContext Hub()
    {
        if (hub is not null) return hub;
        var ehcs = EventHubConnectionString is null ? null : SecretText.ToPlainText(EventHubConnectionString);
        hub = Await(ct => LabHub.BuildAsync(HubSession.Current, lab.Devices, ehcs, ct));
        return hub;
    }

    // While the pipeline stops (Ctrl+C) nothing can be written any more, but the scripts must still be stopped.
    private void Pump()
    {
        if (Stopping) return;
        var prefix = watcher.Runs.Count > 1;
        foreach (var (run, line) in watcher.TakeNewLines()) ShowLine(line, prefix ? Path.GetFileNameWithoutExtension(run.Name) : null);
    }

    private void ShowInstructions(LabTask task)
    {
        var path = lab.PathOf(task.Instructions);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (IOException ex) { Show($"(The instructions cannot be read: {ex.Message})", ConsoleColor.Red); return; }
        foreach (var line in lines) Show(line);
    }

    private void Show(string text, ConsoleColor? color = null)
    {
        if (!Stopping) ShowLine(new ScriptLine(text, color));
    }

    private void Progress(string? activity, string? status, int percent = -1)
    {
        if (Stopping) return;
        if (activity is null)
        {
            WriteProgress(new ProgressRecord(ProgressId, "Start-IotLab", "Done") { RecordType = ProgressRecordType.Completed });
            return;
        }
        WriteProgress(new ProgressRecord(ProgressId, activity, status ?? " ") { PercentComplete = percent });
    }

    private bool WantOptional(LabExercise exercise)
    {
        if (Auto) return false;
        var choices = new Collection<ChoiceDescription> { new("&Yes", "Do the optional exercise now."), new("&No", "Skip it.") };
        return Prompt($"Optional exercise {exercise.Number}: {exercise.Title}", "This exercise goes beyond the lab. Do it now?", choices, 1) == 0;
    }

    private enum NextChoice { Continue, Repeat, Skip, Quit }

    private NextChoice AskNext(LabTask task, bool last)
    {
        var choices = new Collection<ChoiceDescription>
        {
            new("&Continue", last ? "Finish the lab." : "Go on to the next task."),
            new("&Repeat", "Do this task again."),
            new("&Skip", "Skip the next task."),
            new("&Quit", "Stop the lab (background scripts stop); resume later with -Step."),
        };
        return (NextChoice)Prompt($"Task {task.Id} done", last ? "That was the last task. What now?" : "What next?", choices, 0);
    }

    private int Prompt(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
    {
        Pump();
        Progress(null, null);
        int picked;
        try
        {
            picked = Host.UI.PromptForChoice(caption, message, choices, defaultChoice);
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or HostException or NotImplementedException or PSNotImplementedException)
        {
            FailNotInteractive("its user interface cannot prompt", ex);
            throw;
        }
        // Ctrl+C at the console's choice prompt stops the pipeline but returns from the prompt; stop with it.
        if (Stopping) throw new PipelineStoppedException();
        return picked < 0 || picked >= choices.Count ? defaultChoice : picked;
    }

    private void FailNotInteractive(string reason, Exception? inner)
    {
        var hint = $"Run it unattended with Start-IotLab -Lab {Lab} -Auto.";
        ThrowTerminatingError(Errors.ErrorRecordFactory.Create(CommandId, "HostNotInteractive", ErrorCategory.InvalidOperation,
            $"Start-IotLab asks after each task whether to go on and needs an interactive PowerShell host, but this host is not interactive: {reason}. {hint}",
            Host.Name, inner, hint));
    }

    private static string Describe(TimeSpan interval) =>
        interval.TotalSeconds < 60 ? $"{interval.TotalSeconds:0} seconds" : interval.TotalMinutes < 60 ? $"{interval.TotalMinutes:0.#} minutes" : $"{interval.TotalHours:0.#} hours";
}
