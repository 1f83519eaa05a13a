using System.Diagnostics;
using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Errors;
using IotLabKit.PowerShell.Output;
using IotLabKit.PowerShell.Session;
using IotLabKit.Protocol;

namespace IotLabKit.PowerShell.Hub;

/// <summary>
/// Starts the local IoT Hub emulator bundled with the module, waits until it listens, and connects the session to it.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "IotHubEmulator", SupportsShouldProcess = true, DefaultParameterSetName = PersistentSet)]
[OutputType(typeof(EmulatorInfo))]
public sealed class StartIotHubEmulatorCommand : IotLabKitCmdlet
{
    private const string PersistentSet = "Persistent";
    private const string InMemorySet = "InMemory";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The folder for the database, keys and certificates (default: the user's local app data).</summary>
    [Parameter(ParameterSetName = PersistentSet)]
    [Parameter(ParameterSetName = InMemorySet)]
    [ValidateNotNullOrEmpty]
    public string? DataPath { get; set; }

    /// <summary>Keep devices and twins in memory only; they are lost when the emulator stops.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InMemorySet)]
    public SwitchParameter InMemory { get; set; }

    /// <summary>The HTTPS port: 443 by default (the emulator falls back to 8443 if 443 is taken); 0 picks free ports for every
    /// listener (HTTPS, MQTT, AMQPS and plain AMQP), leaving 8883/5671/5672 to another emulator.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = 443;

    /// <summary>The host name used in connection strings and the server certificate (default localhost).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>The hub's name (default iotlabkit).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HubName { get; set; }

    /// <summary>
    /// How often the emulator evaluates automatic device configurations besides right after each change (1 second
    /// to 24 hours; default 5 minutes, as IoT Hub). A number means seconds.
    /// </summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? ConfigurationEvaluationInterval { get; set; }

    /// <summary>Stops an emulator this session already started, then starts a new one.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the emulator's status object.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ConfigurationEvaluationInterval is { } interval && (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromHours(24)))
            Fail("InvalidEvaluationInterval", ErrorCategory.InvalidArgument,
                $"-ConfigurationEvaluationInterval must be from 1 second to 24 hours, not {interval}.", interval);
        var running = HubSession.Emulator;
        if (running is not null && !running.HasExited)
        {
            if (!Force)
                Fail("AlreadyRunning", ErrorCategory.ResourceExists,
                    $"An emulator started by this session is already running (process {running.Id}, {running.Status?.ConnectionHost}). Use -Force to restart it, or Stop-IotHubEmulator first.",
                    running.Id);
            if (!ShouldProcess($"emulator process {running.Id}", "Restart the IoT Hub emulator")) return;
            StopEmulator(running);
        }
        else if (!ShouldProcess(Describe(), "Start the IoT Hub emulator"))
        {
            return;
        }

        var options = new EmulatorStartOptions(
            DataPath is null ? null : GetUnresolvedProviderPathFromPSPath(DataPath),
            InMemory, MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null, HostName, HubName,
            ConfigurationEvaluationInterval);
        EmulatorProcess emulator;
        try { emulator = EmulatorProcess.Start(options); }
        catch (IotLabKitException ex)
        {
            Fail("LaunchFailed", ErrorCategory.ObjectNotFound, ex.Message, DataPath, ex);
            return;
        }
        HubSession.SetEmulator(emulator);
        WriteVerbose($"Started the emulator, process {emulator.Id}; waiting for it to listen.");

        var status = WaitUntilReady(emulator);
        WriteVerbose($"The emulator listens on {status.ConnectionHost} (hub '{status.HubName}', storage {status.Storage}).");
        if (Port == 443 && status.HttpsPort != 443)
            WriteWarning($"Port 443 was not available; the emulator uses port {status.HttpsPort}. Some clients (Node's service SDK) dial 443 only.");

        var connection = ConnectTo(status);
        HubSession.Connect(connection);
        if (PassThru) WriteObject(EmulatorInfo.From(emulator, asPlainText: false));
    }

    private EmulatorStatus WaitUntilReady(EmulatorProcess emulator)
    {
        var clock = Stopwatch.StartNew();
        var progress = new ProgressRecord(1, "Starting the IoT Hub emulator", "Waiting for it to listen");
        try
        {
            while (true)
            {
                try
                {
                    if (emulator.Ready.Wait(TimeSpan.FromMilliseconds(250), CancelToken)) return emulator.Ready.Result;
                }
                catch (OperationCanceledException)
                {
                    emulator.Stop(TimeSpan.FromSeconds(5));
                    throw new PipelineStoppedException();
                }
                catch (AggregateException ex)
                {
                    HubSession.SetEmulator(null);
                    Fail("ExitedEarly", ErrorCategory.InvalidOperation, ex.InnerException?.Message ?? ex.Message, emulator.Id, ex.InnerException);
                }
                emulator.CheckStatusFile();
                if (clock.Elapsed > StartTimeout)
                {
                    var output = emulator.RecentOutput;
                    emulator.Stop(TimeSpan.FromSeconds(5));
                    HubSession.SetEmulator(null);
                    Fail("StartTimeout", ErrorCategory.OperationTimeout,
                        $"The emulator did not report ready within {StartTimeout.TotalSeconds:0} s and was stopped." + (output.Length > 0 ? Environment.NewLine + output : ""),
                        emulator.Id);
                }
                progress.StatusDescription = $"Waiting for it to listen ({clock.Elapsed.TotalSeconds:0} s)";
                progress.PercentComplete = (int)Math.Min(99, 100 * clock.Elapsed.TotalSeconds / StartTimeout.TotalSeconds);
                WriteProgress(progress);
            }
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }

    private HubConnection ConnectTo(EmulatorStatus status)
    {
        HubConnection? connection = null;
        try
        {
            connection = new HubConnection(IotHubConnectionString.Parse(status.ServiceConnectionString), status.CaCertificatePath)
            {
                HubName = status.HubName,
                AmqpsPort = status.AmqpsPort > 0 ? status.AmqpsPort : null,
            };
            var conn = connection;
            conn.DeviceCount = Await(ct => conn.Registry.GetRegistryStatisticsAsync(ct)).TotalDeviceCount;
            return connection;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            connection?.Dispose();
            ThrowTerminatingError(ErrorRecordFactory.FromException(ex, CommandId, status.ConnectionHost));
            throw; // not reached
        }
    }

    private void StopEmulator(EmulatorProcess running)
    {
        if (HubSession.IsConnectedTo(running)) HubSession.Disconnect();
        running.Stop(TimeSpan.FromSeconds(10));
        HubSession.SetEmulator(null);
    }

    private string Describe()
        => $"IoT Hub emulator ({(InMemory ? "in memory" : DataPath ?? "default data folder")}, port {(Port == 0 ? "any" : Port)})";
}
