using System.Management.Automation;
using System.Management.Automation.Runspaces;
using IotLabKit.PowerShell.Output;
using IotLabKit.PowerShell.Telemetry;
using IotLabKit.Testing;

namespace IotLabKit.PowerShell.Tests.Telemetry;

/// <summary>
/// Ctrl+C on a streaming Receive-IotTelemetry: the host stops the pipeline (what PowerShell does on Ctrl+C), and the
/// cmdlet must end promptly and cleanly with what it had written, against a real emulator and a simulated device.
/// </summary>
[Collection(SessionCollection.Name)]
public sealed class ReceiveIotTelemetryStopTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private EmulatorProcess? _emulator;
    private Runspace? _runspace;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true });
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule([typeof(ReceiveIotTelemetryCommand).Assembly.Location]);
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
        Run("Connect-IotHub", ("ConnectionString", _emulator.ConnectionString()), ("CaCertificatePath", _emulator.Status.CaCertificatePath));
    }

    public async Task DisposeAsync()
    {
        if (_runspace is not null)
        {
            Run("Stop-SimulatedDevice", ("All", true));
            _runspace.Dispose();
        }
        if (_emulator is not null) await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_the_pipeline_ends_the_stream_cleanly_with_the_messages_already_written()
    {
        Run("Start-SimulatedDevice", ("DeviceId", new[] { "stream-1" }), ("Create", true), ("Behavior", "Telemetry"), ("TelemetryInterval", TimeSpan.FromMilliseconds(100)));
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddCommand("Receive-IotTelemetry").AddParameter("DeviceId", new[] { "stream-1" }).AddParameter("EventHubConnectionString", EventHubConnectionString);
        var output = new PSDataCollection<PSObject>();
        var twoArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        output.DataAdded += (_, _) => { if (output.Count >= 2) twoArrived.TrySetResult(); };

        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);
        await twoArrived.Task.WaitAsync(Patience);
        var stopped = Task.Factory.FromAsync(shell.BeginStop(null, null), shell.EndStop);
        await stopped.WaitAsync(Patience);

        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.Empty(shell.Streams.Error);
        Assert.True(output.Count >= 2);
        Assert.All(output, o => Assert.Equal("stream-1", Assert.IsType<TelemetryRecord>(o.BaseObject).DeviceId));
        Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));
        // The session is usable afterwards: a new reader starts and stops on -Count.
        var again = Run("Receive-IotTelemetry", ("DeviceId", new[] { "stream-1" }), ("Count", 1), ("Timeout", TimeSpan.FromSeconds(30)),
            ("EventHubConnectionString", EventHubConnectionString));
        Assert.Single(again);
    }

    // The session connected to an emulator it did not start, so the endpoint is named explicitly.
    private string EventHubConnectionString => _emulator!.Status.EventHubConnectionString;

    private List<PSObject> Run(string command, params (string Name, object Value)[] parameters)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddCommand(command);
        foreach (var (name, value) in parameters) shell.AddParameter(name, value);
        var result = shell.Invoke().ToList();
        Assert.Empty(shell.Streams.Error);
        return result;
    }
}
