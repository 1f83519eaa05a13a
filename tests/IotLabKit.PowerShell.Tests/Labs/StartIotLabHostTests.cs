using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;
using IotLabKit.PowerShell.Labs;
using IotLabKit.PowerShell.Output;
using IotLabKit.PowerShell.Tests.Quiz;
using IotLabKit.Testing;

namespace IotLabKit.PowerShell.Tests.Labs;

/// <summary>
/// Start-IotLab -Lab 16 driven interactively through the real PowerShell engine by a scripted host (a host whose
/// PromptForChoice answers from the test), against a real emulator evaluating configurations every 10 seconds as the
/// lab's setup asks: the lab advances task by task, Repeat and Skip do what they say, and the optional exercise is
/// offered and declined.
/// </summary>
[Collection(SessionCollection.Name)]
public sealed class StartIotLabHostTests : IAsyncLifetime
{
    private EmulatorProcess? _emulator;

    public async Task InitializeAsync() =>
        _emulator = await EmulatorProcess.StartAsync(new EmulatorOptions
        {
            InMemory = true,
            ExtraArguments = ["--config-evaluation-interval", "10s"],
        });

    public async Task DisposeAsync()
    {
        if (_emulator is not null) await _emulator.DisposeAsync();
    }

    [Fact]
    public void Lab16_advances_step_by_step_as_the_student_answers()
    {
        var repeated = false;
        var skipped = false;
        var host = new ScriptedHost(prompt =>
        {
            if (prompt.Caption.StartsWith("Optional exercise", StringComparison.Ordinal)) return Choice(prompt, "&No");
            if (prompt.Caption == "Task 2.1 done" && !repeated) { repeated = true; return Choice(prompt, "&Repeat"); }
            if (prompt.Caption == "Task 2.1 done" && !skipped) { skipped = true; return Choice(prompt, "&Skip"); }
            return Choice(prompt, "&Continue");
        });

        var run = RunLab(host, 16);

        Assert.Equal(
            ["Task 1.1 done", "Task 2.1 done", "Task 2.1 done", "Task 3.1 done", "Task 3.2 done", "Task 3.3 done", "Task 3.4 done", "Task 3.5 done",
             "Optional exercise 4"],
            host.Prompts.Select(p => p.Caption.Split(':')[0]));
        Assert.True(run.Completed);
        Assert.Equal(["1.1", "2.1", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5"], run.Tasks.Where(t => !t.Step.StartsWith("4.", StringComparison.Ordinal)).Select(t => t.Step));
        Assert.Equal("Skipped", run.Tasks.Single(t => t.Step == "2.2").Outcome);
        Assert.All(run.Tasks.Where(t => t.Step.StartsWith("4.", StringComparison.Ordinal)), t => Assert.Equal("Skipped", t.Outcome));
        Assert.Equal(0, run.CheckpointsFailed);
        Assert.True(run.CheckpointsPassed >= 4);

        // What the student saw, in this order: each task's heading, the skip, the firmware update, the evaluation note.
        var output = host.Output;
        var shown = new[]
        {
            "Task 1.1:", "Configuration Data:", "evaluate them every 10 seconds", "A real IoT hub evaluates them about every 5 minutes",
            "Task 2.1:", "Task 2.1:", "Skipped task 2.2:", "Task 3.1:", "sensor-th-0155: Current firmware version: 1.0.0",
            "Task 3.2:", "PS> New-AutoConfiguration -Id firmwareupdate", "Task 3.3:", "sensor-th-0155: Current firmware version: 1.0.1",
            "Task 3.4:", "Task 3.5:", "Stopped FwUpdateDevice.csx.", "Lab 16 finished:",
        };
        var at = 0;
        foreach (var text in shown)
        {
            var found = output.IndexOf(text, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{text}' was not shown after position {at}:\n{output}");
            at = found + text.Length;
        }
        Assert.DoesNotMatch(new Regex("^Task 2\\.2:", RegexOptions.Multiline), output);
    }

    [Fact]
    public void Quit_stops_the_lab_and_its_background_device()
    {
        var host = new ScriptedHost(prompt => prompt.Caption == "Task 3.1 done" ? Choice(prompt, "&Quit") : Choice(prompt, "&Continue"));

        var run = RunLab(host, 16);

        Assert.False(run.Completed);
        Assert.Equal("3.1", run.Tasks[^1].Step);
        Assert.Contains("Stopped FwUpdateDevice.csx.", host.Output);
        Assert.Contains("Resume with: Start-IotLab -Lab 16 -Step <step>", host.Output);
        Assert.Empty(IotLabKit.Labs.Scripting.LabScriptRegistry.Running);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_lab_and_its_background_scripts_cleanly()
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule([typeof(StartIotLabCommand).Assembly.Location]);
        using var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        Invoke(runspace, "Connect-IotHub", ("ConnectionString", _emulator!.ConnectionString()), ("CaCertificatePath", _emulator.Status.CaCertificatePath));
        try
        {
            using var shell = System.Management.Automation.PowerShell.Create();
            shell.Runspace = runspace;
            shell.AddCommand("Start-IotLab").AddParameter("Lab", 99).AddParameter("Auto", true)
                .AddParameter("LabPath", new[] { Path.Combine(RepoPaths.Root, "tests", "fixtures", "labs") });
            var heartbeat = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            shell.Streams.Information.DataAdded += (_, e) =>
            {
                if (shell.Streams.Information[e.Index].ToString() == "Message sent") heartbeat.TrySetResult();
            };

            var running = shell.BeginInvoke();
            await heartbeat.Task.WaitAsync(TimeSpan.FromSeconds(90));
            await Task.Factory.FromAsync(shell.BeginStop(null, null), shell.EndStop).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
            Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));
            Assert.Empty(IotLabKit.Labs.Scripting.LabScriptRegistry.Running);
            // The background device closed its connection itself (its CancellationToken was cancelled); the hub
            // records the DISCONNECT it sent a moment after the client returns, so wait for the hub to say so.
            await Eventually.WaitAsync(
                () => Task.FromResult(Assert.Single(Invoke(runspace, "Get-IotDevice", ("DeviceId", "fixture-dev-02"))).Properties["ConnectionState"].Value?.ToString()),
                state => state == "Disconnected", "fixture-dev-02 disconnected", TimeSpan.FromSeconds(15));
        }
        finally
        {
            Invoke(runspace, "Disconnect-IotHub");
        }
    }

    private LabRunInfo RunLab(ScriptedHost host, int lab)
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule([typeof(StartIotLabCommand).Assembly.Location]);
        using var runspace = RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        try
        {
            Invoke(runspace, "Connect-IotHub", ("ConnectionString", _emulator!.ConnectionString()), ("CaCertificatePath", _emulator.Status.CaCertificatePath));
            var output = Invoke(runspace, "Start-IotLab", ("Lab", lab), ("LabPath", new[] { Path.Combine(RepoPaths.Root, "labs") }));
            return Assert.IsType<LabRunInfo>(Assert.Single(output).BaseObject);
        }
        finally
        {
            Invoke(runspace, "Disconnect-IotHub");
        }
    }

    private static IReadOnlyList<PSObject> Invoke(Runspace runspace, string command, params (string Name, object Value)[] parameters)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddCommand(command);
        foreach (var (name, value) in parameters) shell.AddParameter(name, value);
        var output = shell.Invoke();
        Assert.Empty(shell.Streams.Error);
        return output;
    }

    private static int Choice(ScriptedPrompt prompt, string label)
    {
        var index = prompt.Choices.ToList().FindIndex(c => c.Label == label);
        Assert.True(index >= 0, $"The prompt '{prompt.Caption}' has no choice {label}.");
        return index;
    }
}
