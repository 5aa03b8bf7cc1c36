// The NeuralArt Function App, hosted natively on Azure Container Apps: a Microsoft.App/containerApps
// resource with kind 'functionapp', so the platform turns the app's triggers into KEDA scale rules
// (the InboxEvent queue trigger maps to the azure-queue scaler). It runs on the environment's
// serverless GPU workload profile, pulls our image from the registry and reaches storage, the
// registry and Application Insights with its user-assigned managed identity: no keys or connection
// strings with secrets in its settings.

@description('Azure region for the app (the environment\'s region).')
param location string

@description('Container app name (part of its URL).')
param name string

@description('Resource ID of the Container Apps environment.')
param managedEnvironmentId string

@description('Name of the environment\'s GPU workload profile the app runs on.')
param workloadProfileName string

@description('vCPU cores per replica (the GPU profile fixes what is allowed: 8 for T4, 24 for A100).')
param cpu int

@description('Memory per replica, for example 56Gi (T4) or 220Gi (A100).')
param memory string

@description('Registry login server, for example myregistry.azurecr.io.')
param registryLoginServer string

@description('Image repository and tag inside the registry, for example neuralart-functions:3f2a9c1.')
param imageName string

@description('Resource ID of the user-assigned managed identity.')
param identityId string

@description('Client ID of the user-assigned managed identity.')
param identityClientId string

@description('Host storage account (AzureWebJobsStorage: task hub, leases, keys).')
param hostStorageAccountName string

@description('Blob endpoint of the data account (the pipeline\'s containers).')
param dataBlobEndpoint string

@description('Queue endpoint of the data account (the inbox event queue).')
param dataQueueEndpoint string

@description('Application Insights connection string (holds no secret: local auth is disabled).')
param appInsightsConnectionString string

@description('Replicas kept running. Durable Functions on the Azure Storage provider does not scale from zero on Container Apps, so 1 keeps jobs moving (infra/README.md, "Cost").')
@minValue(0)
param minReplicas int

@description('Upper bound on replicas (each holds a whole GPU).')
@minValue(1)
param maxReplicas int

@description('Port the Functions host listens on inside the container (ASPNETCORE_URLS in the image).')
param containerPort int

@description('Application settings of NeuralArt itself, bound by the options classes (name -> value).')
param neuralArtSettings object

param tags object

// Settings the Functions host and the Azure SDK read.
// AzureWebJobsStorage__* is the identity-based form of the host's storage connection (Durable uses it);
// NeuralArtData__* is the data connection (StorageSettings.DataConnection): the pipeline's blobs and
// the InboxEvent trigger's queue. AZURE_CLIENT_ID makes DefaultAzureCredential pick the identity.
var hostSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  AzureWebJobsStorage__accountName: hostStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  NeuralArtData__blobServiceUri: dataBlobEndpoint
  NeuralArtData__queueServiceUri: dataQueueEndpoint
  NeuralArtData__credential: 'managedidentity'
  NeuralArtData__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
}

var env = [
  for setting in items(union(hostSettings, neuralArtSettings)): {
    name: setting.key
    value: string(setting.value)
  }
]

resource functionApp 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: managedEnvironmentId
    workloadProfileName: workloadProfileName
    configuration: {
      // One revision at a time: revisions running side by side would share one task hub.
      activeRevisionsMode: 'Single'
      // Ingress is what the platform's event-driven scaling needs, and serves the HTTP API.
      ingress: {
        external: true
        targetPort: containerPort
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          // Pull with the user-assigned identity (it holds AcrPull on the registry).
          server: registryLoginServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'functions'
          image: '${registryLoginServer}/${imageName}'
          env: env
          resources: {
            cpu: cpu
            memory: memory
          }
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
    }
  }
}

output name string = functionApp.name
output fqdn string = functionApp.properties.configuration.ingress.fqdn
