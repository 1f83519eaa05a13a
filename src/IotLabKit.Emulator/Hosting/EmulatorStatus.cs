using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Security;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Hosting;

/// <summary>
/// The status a running emulator reports (docs/architecture.md): printed as one <c>IOTLABKIT-STATUS {json}</c>
/// line on stdout and written atomically to <c>--status-file</c>.
/// </summary>
public static class EmulatorStatus
{
    /// <summary>The prefix of the stdout status line.</summary>
    public const string LinePrefix = "IOTLABKIT-STATUS ";

    /// <summary>The host name as connection strings carry it: no port when the port is 443.</summary>
    public static string HostNameWithPort(string hostName, int port) => port == 443 ? hostName : $"{hostName}:{port}";

    /// <summary>The service connection string for a policy.</summary>
    public static string ConnectionString(string hostName, int port, SharedAccessPolicy policy) => new IotHubConnectionString
    {
        HostName = HostNameWithPort(hostName, port),
        SharedAccessKeyName = policy.Name,
        SharedAccessKey = policy.PrimaryKey,
        UseDevelopmentEmulator = true,
    }.ToString();

    /// <summary>Builds the status document.</summary>
    public static JsonObject Build(EmulatorSettings settings, int port, int mqttPort, SharedAccessPolicies policies, string caPath, string storage)
    {
        var keys = new JsonObject();
        foreach (var policy in policies.All) keys[policy.Name] = policy.PrimaryKey;
        return new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["hubName"] = settings.HubName,
            ["hostName"] = settings.HostName,
            ["httpsPort"] = port,
            ["mqttPort"] = mqttPort,
            ["serviceConnectionString"] = ConnectionString(settings.HostName, port, policies.Find("iothubowner")!),
            ["policies"] = keys,
            ["caCertificatePath"] = caPath,
            ["dataDir"] = settings.DataDir,
            ["storage"] = storage,
        };
    }

    /// <summary>The Event Hubs-compatible endpoint's connection string (plain AMQP, <c>UseDevelopmentEmulator=true</c>).</summary>
    public static string EventHubConnectionString(string hostName, int amqpPort, string hubName, SharedAccessPolicy policy)
        => $"Endpoint=sb://{hostName}:{amqpPort}/;SharedAccessKeyName={policy.Name};SharedAccessKey={policy.PrimaryKey};EntityPath={hubName};UseDevelopmentEmulator=true";

    /// <summary>Adds the AMQP ports and the Event Hubs-compatible connection string (policy <c>service</c>, as IoT Hub's portal shows) to the status.</summary>
    public static void AddAmqp(JsonObject status, EmulatorSettings settings, int amqpsPort, int amqpPort, SharedAccessPolicies policies)
    {
        status["amqpsPort"] = amqpsPort;
        status["amqpPort"] = amqpPort;
        status["eventHubConnectionString"] = EventHubConnectionString(settings.HostName, amqpPort, settings.HubName, policies.Find("service") ?? policies.Find("iothubowner")!);
    }

    /// <summary>Writes the status file atomically (temp file, then rename), creating its directory.</summary>
    public static void WriteFile(string path, JsonObject status)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, HubJson.Write(status));
        File.Move(temp, path, overwrite: true);
    }
}
