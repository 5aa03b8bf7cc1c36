// The Functions host's own account (AzureWebJobsStorage): Durable task hub queues and tables, blob
// leases, host keys. Only the app's identity has roles on it (modules/hostRoles.bicep). With
// private networking (the default) public network access is off and the app reaches blob, queue and
// table through private endpoints in the environment's virtual network. Shared keys are off either way.

@description('Azure region for the account.')
param location string

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Replication SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param skuName string

@description('True: public network access disabled, private endpoints for the services below.')
param privateNetworking bool

@description('Storage services reached through private endpoints (blob, queue, table), in the order of privateDnsZoneIds.')
param storageServices string[]

@description('Subnet for the private endpoints (ignored without private networking).')
param endpointsSubnetId string

@description('Private DNS zone per service, same order as storageServices (ignored without private networking).')
param privateDnsZoneIds string[]

param tags object

// No endpoints (and no zone lookups) at all without private networking.
var privateServices = privateNetworking ? storageServices : []

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Entra ID only: the Functions host and Durable use the identity-based AzureWebJobsStorage form.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
      bypass: 'None'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
      }
    }
  }
}

resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for (service, i) in privateServices: {
    name: '${name}-${service}-pe'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: endpointsSubnetId
      }
      privateLinkServiceConnections: [
        {
          name: '${name}-${service}'
          properties: {
            privateLinkServiceId: account.id
            groupIds: [
              service
            ]
          }
        }
      ]
    }
  }
]

resource dnsGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (service, i) in privateServices: {
    parent: endpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: service
          properties: {
            privateDnsZoneId: privateDnsZoneIds[i]
          }
        }
      ]
    }
  }
]

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
