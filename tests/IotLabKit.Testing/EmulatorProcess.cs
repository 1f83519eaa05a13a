using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using IotLabKit.Protocol;

namespace IotLabKit.Testing;

/// <summary>
/// A real emulator process for tests: <c>dotnet IotLabKit.Emulator.dll --data-dir … --https-port 0 --status-file …</c>.
/// <see cref="StartAsync"/> returns once the emulator has announced that it listens (its status line on stdout,
/// written after the status file) and fails at once, with its stderr, if it exits first.
/// <see cref="KillAsync"/> is kill -9; <see cref="RestartAsync"/> starts it again on the same data directory.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable, IDisposable
{
    /// <summary>The environment variable that overrides where the emulator dll is.</summary>
    public const string DllEnvironmentVariable = "IOTLABKIT_EMULATOR_DLL";

    private const string StatusPrefix = "IOTLABKIT-STATUS ";
    private readonly EmulatorOptions _options;
    private readonly bool _ownsDataDir;
    private readonly string _statusFile;
    private Process? _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private EmulatorStatusInfo? _status;
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Done)> _lineWaiters = [];

    private EmulatorProcess(EmulatorOptions options, string dataDir, bool ownsDataDir)
    {
        _options = options;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        _statusFile = Path.Combine(dataDir, "status-" + Guid.NewGuid().ToString("N")[..8] + ".json");
    }

    /// <summary>The data directory (kept across <see cref="RestartAsync"/>).</summary>
    public string DataDir { get; }

    /// <summary>The status of the running emulator.</summary>
    public EmulatorStatusInfo Status => _status ?? throw new InvalidOperationException("The emulator is not running.");

    /// <summary><c>https://localhost:{port}/</c>.</summary>
    public Uri BaseAddress => new($"https://localhost:{Status.HttpsPort}/");

    /// <summary>The host name as SAS tokens and connection strings carry it (<c>localhost:port</c>).</summary>
    public string HostNameWithPort => Status.HttpsPort == 443 ? Status.HostName : $"{Status.HostName}:{Status.HttpsPort}";

    /// <summary>The process id of the running emulator.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The emulator is not running.");

    /// <summary>True while the emulator process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the emulator wrote to stderr so far (logs and errors).</summary>
    public string StandardError { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>What the emulator wrote to stdout so far.</summary>
    public string StandardOutput { get { lock (_stdout) return _stdout.ToString(); } }

    /// <summary>Starts an emulator and waits until it listens.</summary>
    public static async Task<EmulatorProcess> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        var owns = options.DataDir is null;
        var dataDir = options.DataDir ?? Path.Combine(Path.GetTempPath(), "iotlabkit-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDir);
        var emulator = new EmulatorProcess(options, dataDir, owns);
        try
        {
            await emulator.LaunchAsync(cancellationToken);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process at once (kill -9: no shutdown code runs) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        var process = _process;
        if (process is null) return;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        _status = null;
    }

    /// <summary>
    /// Asks the emulator to stop the way Ctrl+C or a service manager would (SIGTERM; on Windows, where there is no
    /// such signal for a console child, it is killed) and waits for it to exit.
    /// </summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        var process = _process;
        if (process is null || process.HasExited) { _status = null; return; }
        if (!OperatingSystem.IsWindows() && SysKill(process.Id, SigTerm) == 0)
        {
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
            try { await process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); await process.WaitForExitAsync(); }
        }
        else
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        _status = null;
    }

    /// <summary>Waits (up to <paramref name="timeout"/>) for the process to exit by itself; true when it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("The emulator was never started.");
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { return false; }
        _status = null;
        return true;
    }

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>) until a line the emulator writes to stdout or stderr (since it
    /// last started) satisfies <paramref name="match"/>.
    /// </summary>
    /// <exception cref="TimeoutException">No such line in time; the message includes the output so far.</exception>
    public async Task WaitForOutputLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lineWaiters)
        {
            var seen = (StandardOutput + StandardError).Split('\n').Select(l => l.TrimEnd('\r'));
            if (seen.Any(match)) return;
            _lineWaiters.Add((match, done));
        }
        try { await done.Task.WaitAsync(timeout); }
        catch (TimeoutException)
        {
            lock (_lineWaiters) _lineWaiters.RemoveAll(w => w.Done == done);
            throw new TimeoutException($"The emulator wrote no matching line within {timeout}. stdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
    }

    private void OnLine(StringBuilder buffer, string line)
    {
        lock (_lineWaiters)
        {
            lock (buffer) buffer.AppendLine(line);
            foreach (var waiter in _lineWaiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Done.TrySetResult();
                _lineWaiters.Remove(waiter);
            }
        }
    }

    /// <summary>The exit code of the last process, once it has exited.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>Starts the emulator again on the same data directory (stopping it gracefully first if it runs).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await LaunchAsync(cancellationToken);
    }

    /// <summary>An <see cref="HttpClient"/> for raw HTTPS calls that trusts only this emulator's CA.</summary>
    public HttpClient CreateHttpClient() => EmulatorHttp.CreateClient(Status.CaCertificatePath, BaseAddress);

    /// <summary>A service SAS token for a policy (default <c>iothubowner</c>) valid for <paramref name="lifetime"/> (default 1 h).</summary>
    public string CreateServiceToken(string policy = "iothubowner", TimeSpan? lifetime = null)
        => SharedAccessSignature.Create(HostNameWithPort, Status.Policies[policy], policy, DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromHours(1)));

    /// <summary>The connection string for a policy.</summary>
    public string ConnectionString(string policy = "iothubowner") => new IotHubConnectionString
    {
        HostName = HostNameWithPort,
        SharedAccessKeyName = policy,
        SharedAccessKey = Status.Policies[policy],
        UseDevelopmentEmulator = true,
    }.ToString();

    /// <summary>
    /// A device connection string. By default <c>HostName</c> carries the HTTPS port (which serves MQTT too); with
    /// <paramref name="viaMqttPort"/> it adds <c>GatewayHostName=localhost:{mqttPort}</c> so devices dial the MQTT port.
    /// </summary>
    public string DeviceConnectionString(string deviceId, string key, bool viaMqttPort = false) => new IotHubConnectionString
    {
        HostName = HostNameWithPort,
        DeviceId = deviceId,
        SharedAccessKey = key,
        GatewayHostName = viaMqttPort ? $"{Status.HostName}:{Status.MqttPort}" : null,
        UseDevelopmentEmulator = true,
    }.ToString();

    /// <summary>Kills the emulator and deletes a temporary data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try { await KillAsync(); }
        catch (InvalidOperationException) { }
        _process?.Dispose();
        _process = null;
        if (_ownsDataDir)
        {
            try { Directory.Delete(DataDir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        _process?.Dispose();
        _status = null;
        if (File.Exists(_statusFile)) File.Delete(_statusFile);
        lock (_stderr) _stderr.Clear();
        lock (_stdout) _stdout.Clear();

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(FindEmulatorDll(_options.EmulatorDllPath));
        foreach (var arg in Arguments()) start.ArgumentList.Add(arg);

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            OnLine(_stdout, e.Data);
            if (e.Data.StartsWith(StatusPrefix, StringComparison.Ordinal)) listening.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            OnLine(_stderr, e.Data);
        };
        // Exited can fire before the last stderr lines are read; WaitForExitAsync also waits for the redirected
        // streams to end, so the failure message carries the emulator's whole explanation.
        process.Exited += (_, _) => _ = Task.Run(async () =>
        {
            try { await process.WaitForExitAsync(); } catch (InvalidOperationException) { }
            listening.TrySetException(new InvalidOperationException(
                $"The emulator exited (code {SafeExitCode(process)}) before it listened. stderr:\n{StandardError}\nstdout:\n{StandardOutput}"));
        });
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await listening.Task.WaitAsync(_options.StartTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The emulator did not report that it listens within {_options.StartTimeout}. stderr:\n{StandardError}");
        }
        _status = EmulatorStatusInfo.Read(_statusFile);
    }

    private IEnumerable<string> Arguments()
    {
        yield return "--data-dir"; yield return DataDir;
        yield return "--https-port"; yield return _options.HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--mqtt-port"; yield return _options.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--amqps-port"; yield return _options.AmqpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--amqp-port"; yield return _options.AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--status-file"; yield return _statusFile;
        yield return "--parent-pid"; yield return Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (_options.InMemory) yield return "--in-memory";
        if (_options.Verbose) yield return "--verbose";
        if (_options.HostName is not null) { yield return "--host-name"; yield return _options.HostName; }
        if (_options.HubName is not null) { yield return "--hub-name"; yield return _options.HubName; }
        foreach (var arg in _options.ExtraArguments) yield return arg;
    }

    /// <summary>Finds the emulator dll: the explicit path, <c>IOTLABKIT_EMULATOR_DLL</c>, or next to the test assembly.</summary>
    public static string FindEmulatorDll(string? explicitPath = null)
    {
        foreach (var candidate in new[]
                 {
                     explicitPath,
                     Environment.GetEnvironmentVariable(DllEnvironmentVariable),
                     Path.Combine(AppContext.BaseDirectory, "IotLabKit.Emulator.dll"),
                 })
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new FileNotFoundException(
            $"IotLabKit.Emulator.dll was not found next to the test assembly ({AppContext.BaseDirectory}). Reference the emulator project, or set {DllEnvironmentVariable}.");
    }

    private static string SafeExitCode(Process process)
    {
        try { return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        catch (InvalidOperationException) { return "?"; }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
