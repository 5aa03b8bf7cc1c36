// The NeuralArt Function App, hosted on Azure Container Apps (Microsoft.Web/sites with a managed
// environment) and pinned to the environment's serverless GPU workload profile. It runs our image
// from the registry and reaches storage, the registry and Application Insights with its
// user-assigned managed identity: no keys or connection strings with secrets in its settings.

@description('Azure region for the app (the environment\'s region).')
param location string

@description('Function App name (globally unique; becomes part of its URL).')
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

@description('Image name and tag inside the registry, for example neuralart-functions:1.0.0.')
param imageName string

@description('Resource ID of the user-assigned managed identity.')
param identityId string

@description('Client ID of the user-assigned managed identity.')
param identityClientId string

@description('Storage account used for AzureWebJobsStorage and the pipeline\'s containers.')
param storageAccountName string

@description('Application Insights connection string (holds no secret: local auth is disabled).')
param appInsightsConnectionString string

@description('Replicas kept running. Durable Functions on the Azure Storage provider and identity-based blob triggers do not scale from zero on Container Apps, so 1 keeps jobs moving.')
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

// Settings the Functions host and the Azure SDK read. The AzureWebJobsStorage__* trio is the
// identity-based form of the host's storage connection; Durable Functions and the blob trigger use
// the same connection. AZURE_CLIENT_ID makes DefaultAzureCredential pick the user-assigned identity.
var hostSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  DOCKER_REGISTRY_SERVER_URL: 'https://${registryLoginServer}'
  // The image runs as a non-root user, so the host listens on 8080 rather than 80 (infra/Dockerfile).
  WEBSITES_PORT: string(containerPort)
}

var appSettings = [
  for setting in items(union(hostSettings, neuralArtSettings)): {
    name: setting.key
    value: string(setting.value)
  }
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux,container,azurecontainerapps'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: managedEnvironmentId
    workloadProfileName: workloadProfileName
    resourceConfig: {
      cpu: cpu
      memory: memory
    }
    siteConfig: {
      linuxFxVersion: 'DOCKER|${registryLoginServer}/${imageName}'
      // Pull with the user-assigned identity (it holds AcrPull); Functions on Container Apps takes
      // the identity's resource ID here.
      acrUseManagedIdentityCreds: true
      acrUserManagedIdentityID: identityId
      minimumElasticInstanceCount: minReplicas
      functionAppScaleLimit: maxReplicas
      appSettings: appSettings
    }
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
