//! Organisations and roles.

use crate::document::labelled_enum;

labelled_enum! {
    /// Place in the organisation tree.
    OrgKind {
        Government = "government" / "区人民政府",
        Office = "office" / "区政府办公室",
        Department = "department" / "区直部门单位",
        Town = "town" / "街道（镇）",
        Village = "village" / "村（居）",
    }
}

impl OrgKind {
    /// Whether it answers requests for disclosure: 村（居）民委员会 are not administrative
    /// organs (第二十七条), so they take none.
    pub fn takes_requests(self) -> bool {
        self != OrgKind::Village
    }
}

labelled_enum! {
    /// What a user may do, always within their organisation's scope.
    Role {
        Admin = "admin" / "系统管理员",
        Office = "office" / "公开办",
        Editor = "editor" / "编辑",
        Reviewer = "reviewer" / "审核员",
    }
}

impl Role {
    /// Sees and acts on every organisation's records.
    pub fn is_district_wide(self) -> bool {
        matches!(self, Role::Admin | Role::Office)
    }
    pub fn can_edit(self) -> bool {
        matches!(self, Role::Admin | Role::Office | Role::Editor)
    }
    pub fn can_review(self) -> bool {
        matches!(self, Role::Admin | Role::Office | Role::Reviewer)
    }
    pub fn can_manage_users(self) -> bool {
        self == Role::Admin
    }
}
