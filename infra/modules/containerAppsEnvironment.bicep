// The Container Apps environment the Function App runs in: workload profiles mode with the default
// Consumption profile and one serverless GPU profile (NVIDIA T4 or A100, pay per second, scales to
// zero). Logs go to the Log Analytics workspace.

@description('Azure region for the environment (it must offer the chosen serverless GPU type).')
param location string

@description('Container Apps environment name.')
param name string

@description('Name of the Log Analytics workspace that receives the environment\'s logs.')
param workspaceName string

@description('Name the GPU workload profile gets inside the environment (the app refers to it).')
param gpuProfileName string

@description('Serverless GPU workload profile type.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        // Always present in a workload-profiles environment; nothing of ours runs on it.
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuProfileName
        workloadProfileType: gpuProfileType
      }
    ]
  }
}

output id string = environment.id
output name string = environment.name
output defaultDomain string = environment.properties.defaultDomain
