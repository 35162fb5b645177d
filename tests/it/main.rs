//! The one integration-test binary (matklad's layout): scenarios as data through the
//! library and the real CLI, schema validation, properties and the differential test
//! against an independent model of RULES.md.

mod appended;
mod audit;
mod audit_money;
mod audit_timeline;
mod audit_whatif;
mod audit_zh;
mod backup;
mod bench;
mod browser;
mod cli;
mod close;
mod conformance;
mod conventions;
mod copy;
mod differential;
mod docs;
mod durability;
mod expect;
mod failover;
mod faults;
mod feed;
mod function_length;
mod help;
mod http;
mod http_app;
mod http_languages;
mod i18n;
mod integrity;
mod layers;
mod model;
mod parse_errors;
mod postgres_cli;
mod postgres_store;
mod properties;
mod readme;
mod rules_v2;
mod rules_zh;
mod scenarios;
mod schemas;
mod stored_formats;
mod support;
mod zh_pictures;
