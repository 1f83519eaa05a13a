// AZ-220 Lab 15: the cheese cave operator app (the course's CheeseCaveOperator, Program.cs), as a C# script.
// It reads the device's telemetry from the hub's Event Hubs-compatible endpoint and prints the alerts, calls the
// direct method SetFanState, and sets the device twin's tags and desired properties, then queries the twins.
// Run it with Start-IotLab -Lab 15, or alone: Invoke-IotLabScript -Path CheeseCaveOperator.csx -Background
// Differences from the course's project: the lab runner provides the connection strings; Args name the parts to run
// ("telemetry", "method", "twin"; none = all), because the course adds them exercise by exercise (3, 4 and 5) and the
// lab runs the finished app with the parts written so far.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Azure.Messaging.EventHubs.Consumer;
using IotLabKit.Service;   // the course: Microsoft.Azure.Devices
using Newtonsoft.Json;

// Global variables.
// The Event Hubs-compatible endpoint's connection string: Endpoint=sb://…/;SharedAccessKeyName=service;SharedAccessKey=…;EntityPath=…
// (the course builds it from EventHubsCompatibleEndpoint, EventHubsCompatiblePath and IotHubSasKey; key and key name
// must come from the same policy).
string eventHubConnectionString = EventHubConnectionString;
EventHubConsumerClient consumer = null;

// The hub's iothubowner connection string: the twin query needs Registry Read, which the service policy lacks.
string serviceConnectionString = ServiceConnectionString;
ServiceClient serviceClient = null;
RegistryManager registryManager = null;

string deviceId = "sensor-th-0055";

bool Runs(string part) => Args.Length == 0 || Args.Contains(part, StringComparer.OrdinalIgnoreCase);

// Receive telemetry from one partition, from the oldest event the hub retains.
async Task ReceiveMessagesFromDeviceAsync(string partition, CancellationToken cancellationToken)
{
    ConsoleHelper.WriteGreenMessage("Created receiver on partition: " + partition);
    await foreach (PartitionEvent partitionEvent in consumer.ReadEventsFromPartitionAsync(partition, EventPosition.Earliest, cancellationToken))
    {
        var eventData = partitionEvent.Data;
        string data = Encoding.UTF8.GetString(eventData.EventBody.ToArray());
        ConsoleHelper.WriteGreenMessage("Telemetry received: " + data);

        foreach (var prop in eventData.Properties)
        {
            if (prop.Value.ToString() == "true")
            {
                ConsoleHelper.WriteRedMessage(prop.Key);
            }
        }
        Console.WriteLine();
    }
}

// Call the device's direct method SetFanState with the payload "On".
async Task InvokeMethod()
{
    try
    {
        var methodInvocation = new CloudToDeviceMethod("SetFanState") { ResponseTimeout = TimeSpan.FromSeconds(30) };
        string payload = JsonConvert.SerializeObject("On");

        methodInvocation.SetPayloadJson(payload);

        // Invoke the direct method asynchronously and get the response from the simulated device.
        var response = await serviceClient.InvokeDeviceMethodAsync(deviceId, methodInvocation);

        if (response.Status == 200)
        {
            ConsoleHelper.WriteGreenMessage("Direct method invoked: " + response.GetPayloadAsJson());
        }
        else
        {
            ConsoleHelper.WriteRedMessage("Direct method failed: " + response.GetPayloadAsJson());
        }
    }
    catch
    {
        ConsoleHelper.WriteRedMessage("Direct method failed: timed-out");
    }
}

// Set tags and desired properties on the device twin, then find the devices in CheeseCave1.
async Task SetTwinProperties()
{
    var twin = await registryManager.GetTwinAsync(deviceId);
    var patch =
        @"{
            tags: {
                customerID: 'Customer1',
                cheeseCave: 'CheeseCave1'
            },
            properties: {
                desired: {
                    patchId: 'set values',
                    temperature: '50',
                    humidity: '85'
                }
            }
        }";
    await registryManager.UpdateTwinAsync(twin.DeviceId, patch, twin.ETag);

    var query = registryManager.CreateQuery(
      "SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'", 100);
    var twinsInCheeseCave1 = await query.GetNextAsTwinAsync();
    Console.WriteLine("Devices in CheeseCave1: {0}",
      string.Join(", ", twinsInCheeseCave1.Select(t => t.DeviceId)));
}

async Task Main()
{
    ConsoleHelper.WriteColorMessage("Cheese Cave Operator\n", ConsoleColor.Yellow);

    // Create an EventHubConsumerClient for the default consumer group ($Default) and find the partitions.
    consumer = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, eventHubConnectionString);
    var d2cPartitions = await consumer.GetPartitionIdsAsync();

    // Exercise 5: the device twin (sent first, so the device reports fanstate Off before the method turns it on).
    if (Runs("twin"))
    {
        registryManager = RegistryManager.CreateFromConnectionString(serviceConnectionString);
        await SetTwinProperties();
    }

    // Exercise 4: the direct method, called once at start-up (so start the device app first).
    if (Runs("method"))
    {
        serviceClient = ServiceClient.CreateFromConnectionString(serviceConnectionString);
        await InvokeMethod();
    }

    // Exercise 3: one receiver per partition, until the app is stopped.
    if (Runs("telemetry"))
    {
        var tasks = new List<Task>();
        foreach (string partition in d2cPartitions)
        {
            tasks.Add(ReceiveMessagesFromDeviceAsync(partition, CancellationToken));
        }
        try { await Task.WhenAll(tasks); } catch (OperationCanceledException) { }
    }
    else
    {
        await WaitForStopAsync();
    }

    await consumer.CloseAsync();
    registryManager?.Dispose();
    serviceClient?.Dispose();
}

await Main();
