// The Container Apps environment the Function App runs in: workload profiles mode with the default
// Consumption profile and one serverless GPU profile (NVIDIA T4 or A100, billed per second while a
// replica runs). With private networking it is injected into the virtual network's apps subnet, so
// the app reaches the host storage account through its private endpoints. Logs go through Azure
// Monitor: the diagnostic setting in modules/diagnostics.bicep sends them to Log Analytics, so the
// environment holds no workspace key.

@description('Azure region for the environment (it must offer the chosen serverless GPU type).')
param location string

@description('Container Apps environment name.')
param name string

@description('Name the GPU workload profile gets inside the environment (the app refers to it).')
param gpuProfileName string

@description('Serverless GPU workload profile type.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

@description('Subnet (delegated to Microsoft.App/environments) the environment joins; empty for no virtual network.')
param infrastructureSubnetId string

param tags object

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    vnetConfiguration: empty(infrastructureSubnetId)
      ? null
      : {
          infrastructureSubnetId: infrastructureSubnetId
          // The HTTP API stays reachable from outside (function keys); storage stays private.
          internal: false
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
