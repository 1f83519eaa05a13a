// AZ-220 Lab 15: the cheese cave device app (the course's CheeseCaveDevice, Program.cs), as a C# script.
// It connects as sensor-th-0055, sends temperature and humidity every 5 seconds, answers the direct method
// SetFanState, and applies desired temperature and humidity from its device twin.
// Run it with Start-IotLab -Lab 15, or alone: Invoke-IotLabScript -Path CheeseCaveDevice.csx -Background
// Differences from the course's project: the lab runner provides the connection string (DeviceConnectionString) and
// the seed of the simulator (Seed), ConsoleHelper comes with the runner, and Console.ReadLine() becomes
// WaitForStopAsync() (the runner stops the script as Ctrl+C stops dotnet run).

using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using IotLabKit.Device;   // the course: Microsoft.Azure.Devices.Client and Microsoft.Azure.Devices.Shared
using Newtonsoft.Json;

// Global constants.
const int intervalInMilliseconds = 5000;     // Time interval required by wait function.

// The device connection string to authenticate the device with your IoT hub (the lab runner fills it in).
string deviceConnectionString = DeviceConnectionString;

// Global variables.
DeviceClient deviceClient = null;
CheeseCaveSimulator cheeseCave = null;

// Send telemetry messages every 5 seconds until the app is stopped.
async Task SendDeviceToCloudMessagesAsync(CancellationToken cancellationToken)
{
    while (!cancellationToken.IsCancellationRequested)
    {
        var currentTemperature = cheeseCave.ReadTemperature();
        var currentHumidity = cheeseCave.ReadHumidity();

        // Create JSON message.
        var telemetryDataPoint = new
        {
            temperature = Math.Round(currentTemperature, 2),
            humidity = Math.Round(currentHumidity, 2)
        };
        var messageString = JsonConvert.SerializeObject(telemetryDataPoint);
        var message = new Message(Encoding.ASCII.GetBytes(messageString));

        // Add custom application properties to the message.
        message.Properties.Add("sensorID", "S1");
        message.Properties.Add("fanAlert", (cheeseCave.FanState == StateEnum.Failed) ? "true" : "false");

        // Send temperature or humidity alerts, only if they occur.
        if (cheeseCave.IsTemperatureAlert)
        {
            message.Properties.Add("temperatureAlert", "true");
        }
        if (cheeseCave.IsHumidityAlert)
        {
            message.Properties.Add("humidityAlert", "true");
        }

        Console.WriteLine("Message data: {0}", messageString);

        // Send the telemetry message.
        await deviceClient.SendEventAsync(message, cancellationToken);
        ConsoleHelper.WriteGreenMessage("Message sent\n");

        await Task.Delay(intervalInMilliseconds, cancellationToken);
    }
}

// Handle the direct method call.
Task<MethodResponse> SetFanState(MethodRequest methodRequest, object userContext)
{
    if (cheeseCave.FanState == StateEnum.Failed)
    {
        // Acknowledge the direct method call with a 400 error message.
        string result = "{\"result\":\"Fan failed\"}";
        ConsoleHelper.WriteRedMessage("Direct method failed: " + result);
        return Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes(result), 400));
    }
    else
    {
        try
        {
            var data = Encoding.UTF8.GetString(methodRequest.Data);

            // Remove quotes from data.
            data = data.Replace("\"", "");

            // Parse the payload, and trigger an exception if it's not valid (the names are case-sensitive: "On", "Off").
            cheeseCave.UpdateFan((StateEnum)Enum.Parse(typeof(StateEnum), data));
            ConsoleHelper.WriteGreenMessage("Fan set to: " + data);

            // Acknowledge the direct method call with a 200 success message.
            string result = "{\"result\":\"Executed direct method: " + methodRequest.Name + "\"}";
            return Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes(result), 200));
        }
        catch
        {
            // Acknowledge the direct method call with a 400 error message.
            string result = "{\"result\":\"Invalid parameter\"}";
            ConsoleHelper.WriteRedMessage("Direct method failed: " + result);
            return Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes(result), 400));
        }
    }
}

// Apply desired temperature and humidity, then report the fan state and the values in use.
async Task OnDesiredPropertyChanged(TwinCollection desiredProperties, object userContext)
{
    try
    {
        // Update the Cheese Cave Simulator properties.
        cheeseCave.DesiredHumidity = desiredProperties["humidity"];
        cheeseCave.DesiredTemperature = desiredProperties["temperature"];
        ConsoleHelper.WriteGreenMessage("Setting desired humidity to " + desiredProperties["humidity"]);
        ConsoleHelper.WriteGreenMessage("Setting desired temperature to " + desiredProperties["temperature"]);

        // Report the properties back to the IoT Hub.
        var reportedProperties = new TwinCollection();
        reportedProperties["fanstate"] = cheeseCave.FanState.ToString();
        reportedProperties["humidity"] = cheeseCave.DesiredHumidity;
        reportedProperties["temperature"] = cheeseCave.DesiredTemperature;
        await deviceClient.UpdateReportedPropertiesAsync(reportedProperties);

        ConsoleHelper.WriteGreenMessage("\nTwin state reported: " + reportedProperties.ToJson());
    }
    catch
    {
        ConsoleHelper.WriteRedMessage("Failed to update device twin");
    }
}

async Task Main()
{
    ConsoleHelper.WriteColorMessage("Cheese Cave device app.\n", ConsoleColor.Yellow);

    // Connect to the IoT hub using the MQTT protocol.
    deviceClient = DeviceClient.CreateFromConnectionString(deviceConnectionString, TransportType.Mqtt);

    // Create an instance of the Cheese Cave Simulator (seeded, so a run can be repeated fan failure and all).
    cheeseCave = new CheeseCaveSimulator(new Random(Seed));

    // Register the direct method handler.
    await deviceClient.SetMethodHandlerAsync("SetFanState", SetFanState, null);

    // Get the device twin to report the initial desired properties.
    Twin deviceTwin = await deviceClient.GetTwinAsync();
    ConsoleHelper.WriteGreenMessage("Initial twin desired properties: " + deviceTwin.Properties.Desired.ToJson());

    // Set the device twin update callback.
    await deviceClient.SetDesiredPropertyUpdateCallbackAsync(OnDesiredPropertyChanged, null);

    var sending = SendDeviceToCloudMessagesAsync(CancellationToken);
    await WaitForStopAsync();
    try { await sending; } catch (OperationCanceledException) { }
    await deviceClient.CloseAsync();
    deviceClient.Dispose();
}

await Main();

internal enum StateEnum
{
    Off,
    On,
    Failed
}

// Simulates the cave's air and its fan: the course's CheeseCaveSimulator (which replaced EnvironmentSensor).
internal class CheeseCaveSimulator
{
    // Constants used in the cheese cave simulator: the cave's ambient conditions and the accepted tolerances.
    private const double ambientTemperature = 70;
    private const double ambientHumidity = 99;
    private const double desiredTempLimit = 5;
    private const double desiredHumidityLimit = 10;

    private readonly Random rand;

    private double currentTemperature;
    private double currentHumidity;

    internal StateEnum FanState { get; private set; }

    // Defaults until the twin's desired properties say otherwise.
    internal double DesiredTemperature { get; set; } = ambientTemperature - 10;
    internal double DesiredHumidity { get; set; } = ambientHumidity - 20;

    internal bool IsTemperatureAlert =>
        (currentTemperature > DesiredTemperature + desiredTempLimit) || (currentTemperature < DesiredTemperature - desiredTempLimit);

    internal bool IsHumidityAlert =>
        (currentHumidity > DesiredHumidity + desiredHumidityLimit) || (currentHumidity < DesiredHumidity - desiredHumidityLimit);

    internal CheeseCaveSimulator(Random random)
    {
        rand = random;
        currentTemperature = ambientTemperature;
        currentHumidity = ambientHumidity;
        FanState = StateEnum.Off;
    }

    internal void UpdateFan(StateEnum fanState)
    {
        FanState = fanState;
    }

    internal double ReadTemperature()
    {
        currentTemperature = Next(currentTemperature, DesiredTemperature, ambientTemperature);
        return currentTemperature;
    }

    internal double ReadHumidity()
    {
        currentHumidity = Math.Min(100, Next(currentHumidity, DesiredHumidity, ambientHumidity));
        return currentHumidity;
    }

    private double Next(double current, double desired, double ambient)
    {
        if (FanState == StateEnum.On)
        {
            // The fan pulls the value towards the desired one, with noise; and it may fail (1 % on each read).
            var delta = Math.Sign(desired - current) * rand.NextDouble() + rand.NextDouble() - 0.5;
            if (rand.NextDouble() < 0.01)
            {
                FanState = StateEnum.Failed;
                ConsoleHelper.WriteRedMessage("Fan has failed");
            }
            return current + delta;
        }

        // Fan off (or failed): the cave creeps back to its ambient conditions, then wanders around them.
        if (current < ambient - 1)
        {
            return current + rand.NextDouble() / 10;
        }
        return current + rand.NextDouble() - 0.5;
    }
}
