using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using IotLabKit.PowerShell.Errors;

namespace IotLabKit.PowerShell.Session;

/// <summary>What to start the emulator with; null members are left to the emulator's defaults.</summary>
internal sealed record EmulatorStartOptions(string? DataPath, bool InMemory, int? Port, string? HostName, string? HubName,
    TimeSpan? ConfigurationEvaluationInterval = null);

/// <summary>
/// An emulator child process started by this PowerShell session: how it was started, its status once it listens,
/// and the tail of its output for error messages. The emulator exits by itself when this process exits.
/// </summary>
internal sealed class EmulatorProcess
{
    private const int OutputLinesKept = 200;
    private readonly Process process;
    private readonly TaskCompletionSource<EmulatorStatus> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> standardError = new();
    private readonly Queue<string> standardOutput = new();

    private EmulatorProcess(Process process, string statusFile, EmulatorStartOptions options)
    {
        this.process = process;
        StatusFile = statusFile;
        Options = options;
    }

    /// <summary>The options it was started with.</summary>
    public EmulatorStartOptions Options { get; }

    /// <summary>Where the emulator writes its status JSON.</summary>
    public string StatusFile { get; }

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>When it was started.</summary>
    public DateTime StartTime { get; private set; }

    /// <summary>The status once it listens; null before.</summary>
    public EmulatorStatus? Status => ready.Task.IsCompletedSuccessfully ? ready.Task.Result : null;

    /// <summary>Completes with the status when the emulator listens; fails when it exits first.</summary>
    public Task<EmulatorStatus> Ready => ready.Task;

    /// <summary>True once the process has ended.</summary>
    public bool HasExited
    {
        get
        {
            try { return process.HasExited; }
            catch (InvalidOperationException) { return true; }
        }
    }

    /// <summary>The last lines the emulator wrote to stderr (and stdout when stderr is empty).</summary>
    public string RecentOutput
    {
        get
        {
            lock (standardError)
            {
                var lines = standardError.Count > 0 ? standardError : standardOutput;
                return string.Join(Environment.NewLine, lines.TakeLast(30));
            }
        }
    }

    /// <summary>Starts the staged emulator (<c>&lt;module&gt;/emulator</c>) tied to this process.</summary>
    /// <exception cref="IotLabKitException">The emulator or a .NET host to run it is missing, or it would not start.</exception>
    public static EmulatorProcess Start(EmulatorStartOptions options)
    {
        var (fileName, leadingArgs) = FindLauncher();
        var statusFile = Path.Combine(Path.GetTempPath(), $"iotlabkit-emulator-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            CreateNoWindow = true,
            WorkingDirectory = Path.GetDirectoryName(EmulatorEntryPoint)!,
        };
        foreach (var a in leadingArgs) info.ArgumentList.Add(a);
        info.ArgumentList.Add("--parent-pid");
        info.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--status-file");
        info.ArgumentList.Add(statusFile);
        if (options.InMemory) info.ArgumentList.Add("--in-memory");
        if (options.DataPath is not null) { info.ArgumentList.Add("--data-dir"); info.ArgumentList.Add(options.DataPath); }
        if (options.Port is { } port) { info.ArgumentList.Add("--https-port"); info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        // "Any free port" means every listener: a test or second emulator must not take IoT Hub's well-known MQTT and
        // AMQP ports from the one a student runs (clients learn the ports from the status file and connection strings).
        if (options.Port == 0)
            foreach (var listener in new[] { "--mqtt-port", "--amqps-port", "--amqp-port" }) { info.ArgumentList.Add(listener); info.ArgumentList.Add("0"); }
        if (options.HostName is not null) { info.ArgumentList.Add("--host-name"); info.ArgumentList.Add(options.HostName); }
        if (options.HubName is not null) { info.ArgumentList.Add("--hub-name"); info.ArgumentList.Add(options.HubName); }
        if (options.ConfigurationEvaluationInterval is { } interval)
        {
            info.ArgumentList.Add("--config-evaluation-interval");
            info.ArgumentList.Add(((long)Math.Ceiling(interval.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var emulator = new EmulatorProcess(process, statusFile, options);
        process.OutputDataReceived += (_, e) => emulator.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => emulator.Remember(emulator.standardError, e.Data);
        process.Exited += (_, _) => emulator.OnExited();
        try
        {
            if (!process.Start()) throw new IotLabKitException($"Could not start {fileName}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new IotLabKitException($"Could not start the emulator with '{fileName}': {ex.Message}", ex);
        }
        emulator.StartTime = DateTime.Now;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return emulator;
    }

    /// <summary>Reads the status file if the emulator has written it (a fallback to the stdout line).</summary>
    public void CheckStatusFile()
    {
        if (ready.Task.IsCompleted || !File.Exists(StatusFile)) return;
        try { ready.TrySetResult(EmulatorStatus.Parse(File.ReadAllText(StatusFile))); }
        catch (Exception ex) when (ex is IOException or JsonException) { /* being written; the rename makes it whole soon */ }
    }

    /// <summary>
    /// Asks the emulator to shut down (SIGTERM, which ASP.NET Core handles gracefully), then kills it if it
    /// has not exited within <paramref name="grace"/>. Returns true when it exited gracefully.
    /// </summary>
    public bool Stop(TimeSpan grace)
    {
        var graceful = false;
        if (!HasExited)
        {
            if (!OperatingSystem.IsWindows() && Kill(process.Id, SigTerm) == 0)
                graceful = process.WaitForExit(grace);
            if (!HasExited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit(grace);
            }
        }
        try { File.Delete(StatusFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return graceful;
    }

    /// <summary>The emulator's entry assembly in the staged module.</summary>
    public static string EmulatorEntryPoint =>
        Path.Combine(Path.GetDirectoryName(typeof(EmulatorProcess).Assembly.Location)!, "emulator", "IotLabKit.Emulator.dll");

    private void OnOutput(string? line)
    {
        if (line is null) return;
        if (line.StartsWith(EmulatorStatus.StdoutPrefix, StringComparison.Ordinal))
        {
            try { ready.TrySetResult(EmulatorStatus.Parse(line[EmulatorStatus.StdoutPrefix.Length..])); }
            catch (JsonException) { CheckStatusFile(); }
            return;
        }
        Remember(standardOutput, line);
    }

    private void Remember(Queue<string> lines, string? line)
    {
        if (line is null) return;
        lock (standardError)
        {
            lines.Enqueue(line);
            while (lines.Count > OutputLinesKept) lines.Dequeue();
        }
    }

    private void OnExited()
    {
        // Let the output readers drain so the error message carries the emulator's last words.
        try { process.WaitForExit(); } catch (InvalidOperationException) { }
        var code = 0;
        try { code = process.ExitCode; } catch (InvalidOperationException) { }
        var output = RecentOutput;
        ready.TrySetException(new IotLabKitException(
            $"The emulator exited with code {code} before it was ready." + (output.Length > 0 ? Environment.NewLine + output : "")));
    }

    /// <summary>
    /// How to run the emulator: the <c>dotnet</c> host this PowerShell runs on (so the same runtime is used),
    /// else the emulator's own launcher, else <c>dotnet</c> from PATH.
    /// </summary>
    private static (string FileName, string[] LeadingArgs) FindLauncher()
    {
        var dll = EmulatorEntryPoint;
        if (!File.Exists(dll))
            throw new IotLabKitException($"The emulator is not where the module expects it: {dll}. Build the solution (dotnet build) so the module is staged with its emulator.");
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Path.GetFileName(Environment.ProcessPath) == exe ? Environment.ProcessPath : null,
            Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", exe),
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? Path.Combine(root, exe) : null,
        };
        foreach (var c in candidates)
            if (!string.IsNullOrEmpty(c) && File.Exists(c)) return (Path.GetFullPath(c), ["exec", dll]);
        var apphost = Path.Combine(Path.GetDirectoryName(dll)!, OperatingSystem.IsWindows() ? "IotLabKit.Emulator.exe" : "IotLabKit.Emulator");
        if (File.Exists(apphost)) return (apphost, []);
        return (exe, ["exec", dll]);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
