using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using IotLabKit.Emulator.Core.Jobs;

namespace IotLabKit.Emulator.Hosting;

/// <summary>A start-up option the emulator cannot use; the message says which and why.</summary>
public sealed class SettingsException(string message) : Exception(message);

/// <summary>
/// The emulator's settings, from the command line and an optional JSON file (<c>--config</c>; command-line options
/// win). The options and their defaults are the contract in docs/architecture.md.
/// </summary>
public sealed partial class EmulatorSettings
{
    /// <summary>The port IoT Hub listens on, and the one Node's service SDK insists on.</summary>
    public const int DefaultHttpsPort = 443;

    /// <summary>The port used when 443 cannot be bound.</summary>
    public const int FallbackHttpsPort = 8443;

    /// <summary>IoT Hub's MQTT-over-TLS port, used when no MQTT port is given (with a fallback to any free port).</summary>
    public const int DefaultMqttPort = 8883;

    /// <summary>IoT Hub's AMQPS port (and the Event Hubs-compatible endpoint's), falling back to any free port.</summary>
    public const int DefaultAmqpsPort = 5671;

    /// <summary>Plain AMQP for <c>UseDevelopmentEmulator=true</c> clients (the Event Hubs emulator's convention), falling back to any free port.</summary>
    public const int DefaultAmqpPort = 5672;

    /// <summary>The data directory used when none is given.</summary>
    public static string DefaultDataDir => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "IotLabKit", "emulator");

    /// <summary>Where the database, keys and certificates live.</summary>
    public string DataDir { get; set; } = DefaultDataDir;
    /// <summary>Keep devices in memory only.</summary>
    public bool InMemory { get; set; }
    /// <summary>The requested port; null means 443 with a fallback to 8443; 0 means any free port.</summary>
    public int? HttpsPort { get; set; }
    /// <summary>The requested MQTT-over-TLS port; null means 8883, falling back to any free port; 0 means any free port.</summary>
    public int? MqttPort { get; set; }
    /// <summary>The requested AMQPS port; null means 5671, falling back to any free port; 0 means any free port.</summary>
    public int? AmqpsPort { get; set; }
    /// <summary>The requested plain AMQP port; null means 5672, falling back to any free port; 0 means any free port.</summary>
    public int? AmqpPort { get; set; }
    /// <summary>Telemetry partitions (IoT Hub: 2–32, default 4); fixed when the telemetry store is created.</summary>
    public int TelemetryPartitions { get; set; } = 4;
    /// <summary>How long telemetry is kept (IoT Hub: 1–7 days, default 1 day).</summary>
    public TimeSpan TelemetryRetention { get; set; } = TimeSpan.FromDays(1);
    /// <summary>The host name in connection strings and certificates.</summary>
    public string HostName { get; set; } = "localhost";
    /// <summary>The hub's name.</summary>
    public string HubName { get; set; } = "iotlabkit";
    /// <summary>Where to write the status JSON once listening.</summary>
    public string? StatusFile { get; set; }
    /// <summary>The process whose exit ends the emulator.</summary>
    public int? ParentPid { get; set; }
    /// <summary>Log requests and more.</summary>
    public bool Verbose { get; set; }
    /// <summary>The jobs engine's limits: <c>--max-active-jobs</c>, <c>--job-retention-days</c>, <c>--job-device-rate</c>.</summary>
    public JobSettings Jobs { get; set; } = new();
    /// <summary>IoT Hub's interval between evaluations of automatic device configurations.</summary>
    public static readonly TimeSpan DefaultConfigurationEvaluationInterval = TimeSpan.FromMinutes(5);
    /// <summary>
    /// How often automatic device configurations are evaluated (besides right after each configuration change and
    /// on <c>POST /$iotlabkit/configurations/evaluate</c>). IoT Hub's 5 minutes by default.
    /// </summary>
    public TimeSpan ConfigurationEvaluationInterval { get; set; } = DefaultConfigurationEvaluationInterval;
    /// <summary>True when <c>--help</c> was given.</summary>
    public bool ShowHelp { get; private set; }

    /// <summary>The command-line help text.</summary>
    public const string Usage = """
        IotLabKit emulator: a local Azure IoT Hub (service REST over HTTPS with SAS authentication).

        Usage: IotLabKit.Emulator [options]

          --data-dir <dir>       Database, keys (settings.json) and certificates (certs/).
                                 Default: <LocalApplicationData>/IotLabKit/emulator
          --in-memory            Keep devices in memory only (keys and certificates still live in the data dir).
          --https-port <n>       HTTPS port. Default 443, falling back to 8443; 0 = any free port.
                                 Devices may also speak MQTT (over TLS, or WebSocket at /$iothub/websocket) here.
          --mqtt-port <n>        MQTT-over-TLS port. Default 8883, falling back to any free port; 0 = any free port.
          --amqps-port <n>       AMQP-over-TLS port (C2D, Event Hubs-compatible endpoint). Default 5671, falling back
                                 to any free port; 0 = any free port.
          --amqp-port <n>        Plain AMQP for UseDevelopmentEmulator=true clients. Default 5672, falling back to any
                                 free port; 0 = any free port.
          --telemetry-partitions <n>       Telemetry partitions, 2-32 (fixed once the store exists). Default: 4
          --telemetry-retention-hours <n>  How long telemetry is kept, 1-168 hours. Default: 24
          --host-name <name>     Host name in connection strings and the certificate. Default: localhost
          --hub-name <name>      The hub's name. Default: iotlabkit
          --status-file <path>   Write the status JSON there once listening.
          --config <file.json>   The same settings as JSON (dataDir, inMemory, httpsPort, mqttPort, hostName, hubName,
                                 statusFile, parentPid, verbose, maxActiveJobs, jobRetentionDays, jobDeviceRate,
                                 telemetryPartitions, telemetryRetentionHours, configEvaluationInterval); command-line
                                 options win.
          --parent-pid <pid>     Exit when that process exits.
          --config-evaluation-interval <t>
                                 How often automatic device configurations are evaluated, besides right
                                 after each configuration change: 30s, 2m, 1h or 00:05:00. Default: 5m
                                 (IoT Hub's interval); 1s to 24h.
          --verbose              Log requests and more (default: warnings and errors only).
          --max-active-jobs <n>  Jobs queued, scheduled or running at once. Default 10 (IoT Hub S1: 1).
          --job-retention-days <n>  How long finished jobs stay readable. Default 30 (as IoT Hub).
          --job-device-rate <n>  Job device operations per second. Default 0 = unpaced (IoT Hub S1: 10).
          --help                 Show this text.
        """;

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{1,48})[A-Za-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex HubNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostNamePattern();

    /// <summary>Reads the command line (and the <c>--config</c> file it names).</summary>
    /// <exception cref="SettingsException">An option is unknown, lacks its value or has a bad one.</exception>
    public static EmulatorSettings Parse(IReadOnlyList<string> args)
    {
        var cli = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string name;
            string? inlineValue = null;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new SettingsException($"Unexpected argument '{arg}'. Run with --help for the options.");
            var eq = arg.IndexOf('=');
            if (eq > 0) { name = arg[2..eq]; inlineValue = arg[(eq + 1)..]; }
            else name = arg[2..];
            switch (name)
            {
                case "in-memory" or "verbose" or "help":
                    cli[name] = inlineValue ?? "true";
                    break;
                case "data-dir" or "https-port" or "mqtt-port" or "amqps-port" or "amqp-port" or "host-name" or "hub-name" or "status-file" or "config" or "parent-pid"
                    or "max-active-jobs" or "job-retention-days" or "job-device-rate"
                    or "telemetry-partitions" or "telemetry-retention-hours" or "config-evaluation-interval":
                    if (inlineValue is null)
                    {
                        if (i + 1 >= args.Count) throw new SettingsException($"The option --{name} needs a value.");
                        inlineValue = args[++i];
                    }
                    cli[name] = inlineValue;
                    break;
                default:
                    throw new SettingsException($"Unknown option '--{name}'. Run with --help for the options.");
            }
        }

        var settings = new EmulatorSettings();
        if (cli.TryGetValue("config", out var configPath) && configPath is not null)
            settings.ApplyConfigFile(configPath);
        foreach (var (name, value) in cli)
            settings.Apply(name, value!, baseDir: null);
        settings.Validate();
        return settings;
    }

    private void ApplyConfigFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SettingsException($"The config file '{full}' does not exist.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(full), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException ex) { throw new SettingsException($"The config file '{full}' is not valid JSON: {ex.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SettingsException($"The config file '{full}' must hold a JSON object.");
            var baseDir = Path.GetDirectoryName(full);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                var name = property.Name switch
                {
                    "dataDir" => "data-dir",
                    "inMemory" => "in-memory",
                    "httpsPort" => "https-port",
                    "mqttPort" => "mqtt-port",
                    "amqpsPort" => "amqps-port",
                    "amqpPort" => "amqp-port",
                    "telemetryPartitions" => "telemetry-partitions",
                    "telemetryRetentionHours" => "telemetry-retention-hours",
                    "hostName" => "host-name",
                    "hubName" => "hub-name",
                    "statusFile" => "status-file",
                    "parentPid" => "parent-pid",
                    "verbose" => "verbose",
                    "maxActiveJobs" => "max-active-jobs",
                    "jobRetentionDays" => "job-retention-days",
                    "jobDeviceRate" => "job-device-rate",
                    "configEvaluationInterval" => "config-evaluation-interval",
                    "$schema" => null,
                    _ => throw new SettingsException($"The config file '{full}' has an unknown setting '{property.Name}'."),
                };
                if (name is null || property.Value.ValueKind == JsonValueKind.Null) continue;
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => throw new SettingsException($"The setting '{property.Name}' in '{full}' must be a string, number or boolean."),
                };
                Apply(name, value, baseDir);
            }
        }
    }

    private void Apply(string name, string value, string? baseDir)
    {
        switch (name)
        {
            case "data-dir": DataDir = ResolvePath(value, baseDir); break;
            case "status-file": StatusFile = ResolvePath(value, baseDir); break;
            case "in-memory": InMemory = ParseBool(name, value); break;
            case "verbose": Verbose = ParseBool(name, value); break;
            case "help": ShowHelp = ParseBool(name, value); break;
            case "https-port": HttpsPort = ParseInt(name, value, 0, 65535); break;
            case "mqtt-port": MqttPort = ParseInt(name, value, 0, 65535); break;
            case "amqps-port": AmqpsPort = ParseInt(name, value, 0, 65535); break;
            case "amqp-port": AmqpPort = ParseInt(name, value, 0, 65535); break;
            case "telemetry-partitions": TelemetryPartitions = ParseInt(name, value, 2, 32); break;
            case "telemetry-retention-hours": TelemetryRetention = TimeSpan.FromHours(ParseInt(name, value, 1, 168)); break;
            case "parent-pid": ParentPid = ParseInt(name, value, 1, int.MaxValue); break;
            case "host-name": HostName = value.Trim(); break;
            case "hub-name": HubName = value.Trim(); break;
            case "max-active-jobs": Jobs = Jobs with { MaxActiveJobs = ParseInt(name, value, 1, 1000) }; break;
            case "job-retention-days": Jobs = Jobs with { Retention = TimeSpan.FromDays(ParseInt(name, value, 1, 3650)) }; break;
            case "job-device-rate": Jobs = Jobs with { DeviceOperationsPerSecond = ParseInt(name, value, 0, 1_000_000) }; break;
            case "config-evaluation-interval": ConfigurationEvaluationInterval = ParseInterval(name, value); break;
        }
    }

    private void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir)) throw new SettingsException("The data directory is empty.");
        if (!HostNamePattern().IsMatch(HostName))
            throw new SettingsException($"The host name '{HostName}' is not a valid DNS name or IP address.");
        if (MqttPort is > 0 && MqttPort == HttpsPort)
            throw new SettingsException($"The MQTT port and the HTTPS port are both {MqttPort}; the HTTPS port serves MQTT too, so give --mqtt-port another port (or 0).");
        if (!HubNamePattern().IsMatch(HubName))
            throw new SettingsException($"The hub name '{HubName}' is invalid: use 3 to 50 letters, digits or hyphens, starting and ending with a letter or digit.");
    }

    private static string ResolvePath(string value, string? baseDir)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new SettingsException("A path option is empty.");
        return Path.GetFullPath(baseDir is null ? value : Path.Combine(baseDir, value));
    }

    private static bool ParseBool(string name, string value)
        => bool.TryParse(value, out var b) ? b : throw new SettingsException($"The option --{name} takes true or false, not '{value}'.");

    /// <summary>Reads a duration: whole seconds (<c>30</c>), a number with s, m or h (<c>30s</c>, <c>5m</c>, <c>1h</c>), or <c>hh:mm:ss</c>.</summary>
    internal static TimeSpan ParseInterval(string name, string value)
    {
        var text = value.Trim();
        TimeSpan? parsed = null;
        var unit = text.Length > 0 ? char.ToLowerInvariant(text[^1]) : ' ';
        var number = unit is 's' or 'm' or 'h' ? text[..^1] : text;
        if (double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && !text.Contains(':'))
        {
            parsed = unit switch
            {
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromSeconds(amount),
            };
        }
        else if (TimeSpan.TryParseExact(text, @"hh\:mm\:ss", CultureInfo.InvariantCulture, out var span)) parsed = span;
        if (parsed is not { } interval || interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromHours(24))
            throw new SettingsException($"The option --{name} takes a duration from 1s to 24h (30s, 5m, 1h or 00:05:00), not '{value}'.");
        return interval;
    }

    private static int ParseInt(string name, string value, int min, int max)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new SettingsException($"The option --{name} takes a whole number from {min} to {max}, not '{value}'.");
}
